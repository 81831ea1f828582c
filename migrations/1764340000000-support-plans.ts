import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SEN support cycles (assess, plan, do, review; SEND Code of Practice 6.44-6.56): a support plan
 * per cycle with its outcomes, provision and agreed review date, and the one review that closes
 * it. Only one cycle per pupil is open at a time (a partial unique index, the backstop of the
 * service's 409). The review's due date is a SUPPORT_PLAN_REVIEW row in `deadline` (opened and
 * met by the service through TimelinessService), not a column here.
 */
export class SupportPlans1764340000000 implements MigrationInterface {
  name = 'SupportPlans1764340000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE support_plan (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pupil_id uuid NOT NULL CONSTRAINT support_plan_pupil_fk REFERENCES pupil (id),
        -- The school when the cycle opened; the pupil's current school decides who reads it.
        school_id uuid NOT NULL CONSTRAINT support_plan_school_fk REFERENCES school (id),
        -- [{description}], 1 to 20 outcomes sought.
        outcomes jsonb NOT NULL CONSTRAINT support_plan_outcomes_array
          CHECK (jsonb_typeof(outcomes) = 'array' AND jsonb_array_length(outcomes) BETWEEN 1 AND 20),
        -- [{description, frequency, by}], 1 to 20 lines of provision.
        provision jsonb NOT NULL CONSTRAINT support_plan_provision_array
          CHECK (jsonb_typeof(provision) = 'array' AND jsonb_array_length(provision) BETWEEN 1 AND 20),
        start_on date NOT NULL,
        review_on date NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CONSTRAINT support_plan_status_check CHECK (status IN ('OPEN', 'REVIEWED')),
        reviewed_on date,
        -- Null for cycles written by the system (imports, demo data).
        created_by uuid CONSTRAINT support_plan_created_by_fk REFERENCES app_user (id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT support_plan_review_after_start CHECK (review_on > start_on),
        CONSTRAINT support_plan_reviewed_when_closed CHECK ((status = 'REVIEWED') = (reviewed_on IS NOT NULL)),
        CONSTRAINT support_plan_reviewed_after_start CHECK (reviewed_on IS NULL OR reviewed_on >= start_on)
      )`);
    // One open cycle per pupil.
    await db.query(`CREATE UNIQUE INDEX support_plan_one_open_per_pupil ON support_plan (pupil_id) WHERE status = 'OPEN'`);
    // A pupil's cycles, newest first (the list's keyset order).
    await db.query(`CREATE INDEX support_plan_pupil_idx ON support_plan (pupil_id, start_on DESC, id DESC)`);
    await db.query(`CREATE INDEX support_plan_school_idx ON support_plan (school_id)`);

    await db.query(`
      CREATE TABLE support_plan_review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- One review closes a cycle.
        support_plan_id uuid NOT NULL CONSTRAINT support_plan_review_plan_fk REFERENCES support_plan (id)
          CONSTRAINT support_plan_review_plan_unique UNIQUE,
        reviewed_on date NOT NULL,
        -- [{outcomeIndex, progress: ACHIEVED|PARTLY|NOT_ACHIEVED}], each of the plan's outcomes once.
        outcomes jsonb NOT NULL CONSTRAINT support_plan_review_outcomes_array
          CHECK (jsonb_typeof(outcomes) = 'array' AND jsonb_array_length(outcomes) BETWEEN 1 AND 20),
        next_step text NOT NULL CONSTRAINT support_plan_review_next_step_check
          CHECK (next_step IN ('CONTINUE', 'NEW_CYCLE', 'REQUEST_LOCALITY_SUPPORT', 'REQUEST_EHC_ASSESSMENT')),
        -- Free text about a child: never logged, never in the audit trail, shown only to plan writers.
        note text CONSTRAINT support_plan_review_note_length CHECK (length(note) <= 4000),
        recorded_by uuid CONSTRAINT support_plan_review_recorded_by_fk REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE support_plan_review`);
    await db.query(`DROP TABLE support_plan`);
  }
}
