import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The one timeliness mechanism (ARCHITECTURE.md idea 1): the SLA rules (kind -> duration,
 * statutory or local, legal basis) and the deadline table every workflow writes to, with the
 * status rule as one SQL function for lists and dashboards.
 */
export class Timeliness1764330000000 implements MigrationInterface {
  name = 'Timeliness1764330000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sla_rule (
        kind text PRIMARY KEY,
        description text NOT NULL,
        basis text NOT NULL CHECK (basis IN ('STATUTORY', 'LOCAL')),
        legal_reference text NOT NULL,
        starts_on_event text NOT NULL,
        met_by_event text NOT NULL,
        duration_unit text NOT NULL CHECK (duration_unit IN ('DAYS', 'WEEKS', 'MONTHS', 'AGREED', 'FIXED_DATE')),
        duration_value integer CHECK (duration_value BETWEEN 1 AND 520),
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((duration_unit IN ('AGREED', 'FIXED_DATE')) = (duration_value IS NULL))
      )`);
    await db.query(`
      INSERT INTO sla_rule (kind, description, basis, legal_reference, starts_on_event, met_by_event, duration_unit, duration_value) VALUES
      ('EHC_DECISION_TO_ASSESS', 'Decide whether to carry out an EHC needs assessment', 'STATUTORY', 'SEND Regulations 2014 reg. 5(3)', 'EHC request received', 'decision to assess or not', 'WEEKS', 6),
      ('EHC_ADVICE', 'Advice returned by a body asked for it (EP, health, social care)', 'STATUTORY', 'SEND Regulations 2014 reg. 8', 'advice requested', 'advice received', 'WEEKS', 6),
      ('EHC_ISSUE_DECISION', 'Decide whether to issue an EHC plan (draft sent) or not', 'STATUTORY', 'SEND Regulations 2014 reg. 10', 'EHC request received', 'draft plan sent or notice not to issue', 'WEEKS', 16),
      ('EHC_FINAL_PLAN', 'Issue the final EHC plan', 'STATUTORY', 'SEND Regulations 2014 reg. 13(2)', 'EHC request received', 'final plan issued', 'WEEKS', 20),
      ('ANNUAL_REVIEW_MEETING', 'Hold the annual review meeting', 'STATUTORY', 'Children and Families Act 2014 s.44; SEND Regulations 2014 reg. 18', 'plan issued or last review meeting', 'review meeting held', 'MONTHS', 12),
      ('ANNUAL_REVIEW_REPORT', 'Send the annual review report', 'STATUTORY', 'SEND Regulations 2014 reg. 20', 'review meeting', 'report sent', 'WEEKS', 2),
      ('ANNUAL_REVIEW_DECISION', 'Notify the decision to maintain, amend or cease the plan', 'STATUTORY', 'SEND Regulations 2014 reg. 20', 'review meeting', 'decision notified', 'WEEKS', 4),
      ('AMENDED_PLAN', 'Issue the final amended plan', 'STATUTORY', 'SEND Regulations 2014 reg. 22', 'proposed amendments sent', 'final amended plan issued', 'WEEKS', 8),
      ('PHASE_TRANSFER', 'Amend the plan to name the new setting before a phase transfer', 'STATUTORY', 'SEND Regulations 2014 reg. 18', 'transfer year', 'amended plan naming the new setting (15 February; 31 March post-16)', 'FIXED_DATE', NULL),
      ('SUPPORT_PLAN_REVIEW', 'Review an SEN support cycle on its agreed date', 'STATUTORY', 'SEND Code of Practice 2015 para. 6.52', 'SEN support cycle starts', 'review recorded', 'AGREED', NULL),
      ('REQUEST_DECISION', 'Panel decision on a support request', 'LOCAL', 'local target', 'support request submitted', 'panel decision other than deferral', 'WEEKS', 4),
      ('ALLOCATION_ACCEPTANCE', 'Provider accepts or declines an allocation', 'LOCAL', 'local target', 'allocation made', 'provider accepts or declines', 'WEEKS', 2),
      ('DELIVERY_START', 'First session delivered (per-service target where set)', 'LOCAL', 'local target', 'allocation accepted', 'first delivered session', 'WEEKS', 6)`);

    await db.query(`
      CREATE TABLE deadline (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CONSTRAINT deadline_kind_fk REFERENCES sla_rule (kind),
        subject_type text NOT NULL CHECK (subject_type IN
          ('SUPPORT_PLAN', 'SUPPORT_REQUEST', 'ALLOCATION', 'EHC_ASSESSMENT', 'ADVICE_REQUEST', 'EHC_PLAN', 'ANNUAL_REVIEW')),
        subject_id uuid NOT NULL,
        -- Where the deadline sits, so dashboards group without joining through the whole model.
        pupil_id uuid CONSTRAINT deadline_pupil_fk REFERENCES pupil (id),
        school_id uuid CONSTRAINT deadline_school_fk REFERENCES school (id),
        locality_id uuid CONSTRAINT deadline_locality_fk REFERENCES locality (id),
        organisation_id uuid CONSTRAINT deadline_organisation_fk REFERENCES organisation (id),
        starts_on date NOT NULL,
        due_on date NOT NULL,
        met_on date,
        cancelled_on date,
        -- An exception never moves the due date; it marks the deadline to be counted apart.
        excepted boolean NOT NULL DEFAULT false,
        exception_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (due_on >= starts_on),
        CHECK (met_on IS NULL OR met_on >= starts_on),
        CHECK (cancelled_on IS NULL OR cancelled_on >= starts_on),
        CHECK (met_on IS NULL OR cancelled_on IS NULL),
        CHECK (excepted = (exception_reason IS NOT NULL))
      )`);
    // One open deadline of a kind per subject.
    await db.query(`
      CREATE UNIQUE INDEX deadline_open_unique ON deadline (subject_type, subject_id, kind)
      WHERE met_on IS NULL AND cancelled_on IS NULL`);
    await db.query(`CREATE INDEX deadline_subject_idx ON deadline (subject_type, subject_id)`);
    await db.query(`CREATE INDEX deadline_due_idx ON deadline (due_on, id)`);
    await db.query(`CREATE INDEX deadline_school_idx ON deadline (school_id, due_on)`);
    await db.query(`CREATE INDEX deadline_locality_idx ON deadline (locality_id, due_on)`);
    await db.query(`CREATE INDEX deadline_organisation_idx ON deadline (organisation_id, due_on)`);
    await db.query(`CREATE INDEX deadline_pupil_idx ON deadline (pupil_id)`);
    await db.query(`CREATE INDEX deadline_kind_idx ON deadline (kind, due_on)`);

    // The status rule in SQL; src/timeliness/deadline-rules.ts deadlineStatus is the same rule.
    await db.query(`
      CREATE FUNCTION deadline_status(met_on date, cancelled_on date, due_on date, as_of date, due_soon_days integer)
      RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN cancelled_on IS NOT NULL AND cancelled_on <= as_of THEN 'CANCELLED'
          WHEN met_on IS NOT NULL AND met_on <= as_of THEN
            CASE WHEN met_on <= due_on THEN 'MET_ON_TIME' ELSE 'MET_LATE' END
          WHEN due_on < as_of THEN 'OVERDUE'
          WHEN due_on <= as_of + due_soon_days THEN 'DUE_SOON'
          ELSE 'ON_TRACK'
        END
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION deadline_status(date, date, date, date, integer)`);
    await db.query(`DROP TABLE deadline`);
    await db.query(`DROP TABLE sla_rule`);
  }
}
