import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Annual reviews of EHC plans (s.44, Regs 18-22): meeting held -> report sent (ANNUAL_REVIEW_REPORT,
 * 2 weeks) -> decision to maintain, amend or cease (ANNUAL_REVIEW_DECISION, 4 weeks from the
 * meeting) -> if amend, proposed amendments sent -> final amended plan (AMENDED_PLAN, 8 weeks).
 * Due dates live in `deadline` (subject ANNUAL_REVIEW = the review; the next meeting's subject is
 * the plan).
 */
export class AnnualReviews1764400100000 implements MigrationInterface {
  name = 'AnnualReviews1764400100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE annual_review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL CONSTRAINT annual_review_plan_fk REFERENCES ehc_plan (id),
        pupil_id uuid NOT NULL CONSTRAINT annual_review_pupil_fk REFERENCES pupil (id),
        stage text NOT NULL DEFAULT 'MEETING_HELD' CONSTRAINT annual_review_stage_check
          CHECK (stage IN ('MEETING_HELD', 'REPORT_SENT', 'MAINTAINED', 'AMENDING', 'AMENDMENTS_SENT', 'AMENDED', 'CEASED')),
        meeting_on date NOT NULL,
        report_sent_on date,
        decision text CONSTRAINT annual_review_decision_check CHECK (decision IN ('MAINTAIN', 'AMEND', 'CEASE')),
        decided_on date,
        -- SEN2 reason a plan ceased (1-9).
        cease_reason smallint CONSTRAINT annual_review_cease_reason_check CHECK (cease_reason BETWEEN 1 AND 9),
        amendments_sent_on date,
        amended_plan_issued_on date,
        recorded_by uuid CONSTRAINT annual_review_recorded_by_fk REFERENCES app_user (id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT annual_review_report_order CHECK (report_sent_on >= meeting_on),
        CONSTRAINT annual_review_decision_order CHECK (decided_on >= report_sent_on),
        CONSTRAINT annual_review_amendments_order CHECK (amendments_sent_on >= decided_on),
        CONSTRAINT annual_review_amended_order CHECK (amended_plan_issued_on >= amendments_sent_on),
        CONSTRAINT annual_review_decided_dated CHECK ((decision IS NULL) = (decided_on IS NULL)),
        CONSTRAINT annual_review_cease_reason CHECK ((decision = 'CEASE') = (cease_reason IS NOT NULL))
      )`);
    // One review in progress (before its decision) per plan.
    await db.query(`CREATE UNIQUE INDEX annual_review_open_unique ON annual_review (plan_id) WHERE decision IS NULL`);
    await db.query(`CREATE INDEX annual_review_plan_idx ON annual_review (plan_id, meeting_on)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE annual_review`);
  }
}
