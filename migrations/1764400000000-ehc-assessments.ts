import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * EHC needs assessments on the statutory clock (API.md "EHC needs assessments", DOMAIN.md
 * "Statutory and local timescales"). A case's due dates are not columns: they are the
 * EHC_DECISION_TO_ASSESS, EHC_ISSUE_DECISION and EHC_FINAL_PLAN deadlines (subject
 * EHC_ASSESSMENT = the case), one EHC_ADVICE deadline per advice request (subject ADVICE_REQUEST)
 * and the plan's ANNUAL_REVIEW_MEETING (subject EHC_PLAN), all in the one deadline table.
 *
 * A case is scoped by the pupil's current school (its open deadlines follow the pupil too).
 * Free text (withdraw reason, exception note) is never logged or audited.
 */
export class EhcAssessments1764400000000 implements MigrationInterface {
  name = 'EhcAssessments1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ehc_assessment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pupil_id uuid NOT NULL CONSTRAINT ehc_assessment_pupil_fk REFERENCES pupil (id),
        request_received_on date NOT NULL,
        requested_by text NOT NULL CONSTRAINT ehc_assessment_requested_by_check
          CHECK (requested_by IN ('PARENT', 'YOUNG_PERSON', 'SCHOOL', 'OTHER')),
        caseworker_id uuid CONSTRAINT ehc_assessment_caseworker_fk REFERENCES app_user (id),
        stage text NOT NULL DEFAULT 'REQUESTED' CONSTRAINT ehc_assessment_stage_check
          CHECK (stage IN ('REQUESTED', 'ASSESSING', 'DRAFT_ISSUED', 'PLAN_ISSUED', 'NOT_ASSESSED', 'NOT_ISSUED', 'WITHDRAWN')),
        decision_to_assess boolean,
        decision_to_assess_on date,
        decision_to_assess_by uuid CONSTRAINT ehc_assessment_dta_by_fk REFERENCES app_user (id),
        issue_decision boolean,
        issue_decision_on date,
        issue_decision_by uuid CONSTRAINT ehc_assessment_issue_by_fk REFERENCES app_user (id),
        final_plan_issued_on date,
        final_plan_by uuid CONSTRAINT ehc_assessment_final_by_fk REFERENCES app_user (id),
        withdrawn_on date,
        -- Free text: never logged, never in the audit trail.
        withdraw_reason text CONSTRAINT ehc_assessment_withdraw_reason_length CHECK (length(withdraw_reason) BETWEEN 1 AND 2000),
        withdrawn_by uuid CONSTRAINT ehc_assessment_withdrawn_by_fk REFERENCES app_user (id),
        -- Null for cases written by the system (imports, demo data).
        created_by uuid CONSTRAINT ehc_assessment_created_by_fk REFERENCES app_user (id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- Each step is dated, in order (the service says which field is wrong before these fire).
        CONSTRAINT ehc_assessment_decided_dated CHECK ((decision_to_assess IS NULL) = (decision_to_assess_on IS NULL)),
        CONSTRAINT ehc_assessment_issue_dated CHECK ((issue_decision IS NULL) = (issue_decision_on IS NULL)),
        CONSTRAINT ehc_assessment_dta_order CHECK (decision_to_assess_on >= request_received_on),
        CONSTRAINT ehc_assessment_issue_order CHECK (issue_decision_on >= decision_to_assess_on),
        CONSTRAINT ehc_assessment_final_order CHECK (final_plan_issued_on >= issue_decision_on),
        CONSTRAINT ehc_assessment_withdrawn_order CHECK (withdrawn_on >= request_received_on),
        CONSTRAINT ehc_assessment_withdrawn_dated CHECK ((stage = 'WITHDRAWN') = (withdrawn_on IS NOT NULL)),
        CONSTRAINT ehc_assessment_stage_steps CHECK (
          CASE stage
            WHEN 'REQUESTED' THEN decision_to_assess IS NULL
            WHEN 'NOT_ASSESSED' THEN decision_to_assess = false
            WHEN 'ASSESSING' THEN decision_to_assess AND issue_decision IS NULL
            WHEN 'NOT_ISSUED' THEN decision_to_assess AND issue_decision = false
            WHEN 'DRAFT_ISSUED' THEN issue_decision AND final_plan_issued_on IS NULL
            WHEN 'PLAN_ISSUED' THEN issue_decision AND final_plan_issued_on IS NOT NULL
            ELSE true
          END)
      )`);
    // One open case per pupil (also between concurrent creates).
    await db.query(`
      CREATE UNIQUE INDEX ehc_assessment_open_unique ON ehc_assessment (pupil_id)
      WHERE stage IN ('REQUESTED', 'ASSESSING', 'DRAFT_ISSUED')`);
    await db.query(`CREATE INDEX ehc_assessment_pupil_idx ON ehc_assessment (pupil_id)`);
    await db.query(`CREATE INDEX ehc_assessment_caseworker_idx ON ehc_assessment (caseworker_id, stage)`);
    await db.query(`CREATE INDEX ehc_assessment_received_idx ON ehc_assessment (request_received_on, id)`);

    await db.query(`
      CREATE TABLE advice_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        assessment_id uuid NOT NULL CONSTRAINT advice_request_assessment_fk REFERENCES ehc_assessment (id),
        pupil_id uuid NOT NULL CONSTRAINT advice_request_pupil_fk REFERENCES pupil (id),
        advice_type text NOT NULL CONSTRAINT advice_request_type_check
          CHECK (advice_type IN ('EDUCATIONAL_PSYCHOLOGY', 'HEALTH', 'SOCIAL_CARE', 'SCHOOL', 'OTHER')),
        organisation_id uuid NOT NULL CONSTRAINT advice_request_organisation_fk REFERENCES organisation (id),
        requested_on date NOT NULL,
        requested_by uuid CONSTRAINT advice_request_requested_by_fk REFERENCES app_user (id),
        received_on date,
        received_by uuid CONSTRAINT advice_request_received_by_fk REFERENCES app_user (id),
        -- The case was decided or withdrawn before the advice came: no longer awaited.
        cancelled_on date,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT advice_request_received_order CHECK (received_on >= requested_on),
        CONSTRAINT advice_request_cancelled_order CHECK (cancelled_on >= requested_on),
        CONSTRAINT advice_request_one_end CHECK (received_on IS NULL OR cancelled_on IS NULL)
      )`);
    await db.query(`CREATE INDEX advice_request_assessment_idx ON advice_request (assessment_id)`);
    // A provider's advice worklist, and the PROVIDER caseload test (EXISTS ... pupil_id, organisation_id).
    await db.query(`CREATE INDEX advice_request_organisation_idx ON advice_request (organisation_id, requested_on)`);
    await db.query(`CREATE INDEX advice_request_pupil_idx ON advice_request (pupil_id, organisation_id)`);

    await db.query(`
      CREATE TABLE ehc_plan (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pupil_id uuid NOT NULL CONSTRAINT ehc_plan_pupil_fk REFERENCES pupil (id),
        assessment_id uuid CONSTRAINT ehc_plan_assessment_fk REFERENCES ehc_assessment (id)
          CONSTRAINT ehc_plan_assessment_unique UNIQUE,
        issued_on date NOT NULL,
        -- The named setting (SEN2 placements), by URN on the way in.
        setting_school_id uuid CONSTRAINT ehc_plan_setting_fk REFERENCES school (id),
        -- The needs the plan names, ranked (SEN2 needs module): the pupil's at issue.
        primary_need text NOT NULL,
        secondary_need text,
        ceased_on date,
        cease_reason smallint CONSTRAINT ehc_plan_cease_reason_check CHECK (cease_reason BETWEEN 1 AND 9),
        created_by uuid CONSTRAINT ehc_plan_created_by_fk REFERENCES app_user (id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ehc_plan_ceased_with_reason CHECK ((ceased_on IS NULL) = (cease_reason IS NULL))
      )`);
    await db.query(`CREATE INDEX ehc_plan_pupil_idx ON ehc_plan (pupil_id)`);

    await db.query(`
      CREATE TABLE ehc_exception (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        assessment_id uuid NOT NULL CONSTRAINT ehc_exception_assessment_fk REFERENCES ehc_assessment (id),
        reason text NOT NULL CONSTRAINT ehc_exception_reason_check
          CHECK (reason IN ('SCHOOL_CLOSURE', 'EARLY_YEARS_CLOSURE', 'PERSONAL_CIRCUMSTANCES', 'ABSENT_FROM_AREA')),
        from_on date NOT NULL,
        to_on date NOT NULL,
        -- Free text: never logged, never in the audit trail.
        note text CONSTRAINT ehc_exception_note_length CHECK (length(note) BETWEEN 1 AND 2000),
        recorded_by uuid CONSTRAINT ehc_exception_recorded_by_fk REFERENCES app_user (id),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT ehc_exception_order CHECK (to_on >= from_on)
      )`);
    await db.query(`CREATE INDEX ehc_exception_assessment_idx ON ehc_exception (assessment_id)`);

    await db.query(`
      CREATE TABLE ehc_appeal (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        assessment_id uuid NOT NULL CONSTRAINT ehc_appeal_assessment_fk REFERENCES ehc_assessment (id),
        kind text NOT NULL CONSTRAINT ehc_appeal_kind_check CHECK (kind IN ('MEDIATION', 'TRIBUNAL')),
        stage text NOT NULL CONSTRAINT ehc_appeal_stage_check CHECK (stage IN ('REQUEST', 'ASSESSMENT', 'PLAN')),
        started_on date NOT NULL,
        recorded_by uuid CONSTRAINT ehc_appeal_recorded_by_fk REFERENCES app_user (id),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ehc_appeal_assessment_idx ON ehc_appeal (assessment_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ehc_appeal`);
    await db.query(`DROP TABLE ehc_exception`);
    await db.query(`DROP TABLE ehc_plan`);
    await db.query(`DROP TABLE advice_request`);
    await db.query(`DROP TABLE ehc_assessment`);
  }
}
