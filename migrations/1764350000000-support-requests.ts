import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Support requests: a SENCO asks their locality (Community of Schools) panel for a service from
 * the catalogue for a pupil of their school. `locality_id` is the school's locality when the
 * request was made: the panel that hears it, even if the pupil later moves. The decision deadline
 * is a REQUEST_DECISION row in `deadline` (opened on submission, cancelled on withdrawal), not a
 * column here.
 */
export class SupportRequests1764350000000 implements MigrationInterface {
  name = 'SupportRequests1764350000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE support_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pupil_id uuid NOT NULL CONSTRAINT support_request_pupil_fk REFERENCES pupil (id),
        school_id uuid NOT NULL CONSTRAINT support_request_school_fk REFERENCES school (id),
        -- The school's locality when the request was made: the panel that hears it.
        locality_id uuid NOT NULL CONSTRAINT support_request_locality_fk REFERENCES locality (id),
        service_code text NOT NULL CONSTRAINT support_request_service_fk REFERENCES service (code),
        -- The support cycle(s) the school already tried, when linked.
        support_plan_id uuid CONSTRAINT support_request_support_plan_fk REFERENCES support_plan (id),
        -- Free text about a child: never logged, never in the audit trail.
        reason text NOT NULL CONSTRAINT support_request_reason_length CHECK (length(reason) BETWEEN 1 AND 2000),
        urgency text NOT NULL CONSTRAINT support_request_urgency_check CHECK (urgency IN ('ROUTINE', 'URGENT')),
        units_requested numeric(10, 2) NOT NULL CONSTRAINT support_request_units_positive CHECK (units_requested > 0),
        status text NOT NULL DEFAULT 'DRAFT' CONSTRAINT support_request_status_check
          CHECK (status IN ('DRAFT', 'SUBMITTED', 'DEFERRED', 'APPROVED', 'PARTIALLY_APPROVED', 'DECLINED', 'WITHDRAWN')),
        submitted_on date,
        withdrawn_on date,
        withdraw_reason text CONSTRAINT support_request_withdraw_reason_length CHECK (length(withdraw_reason) BETWEEN 1 AND 2000),
        -- A provider declined the allocation: back to SUBMITTED to be heard again, with their reason.
        needs_reallocation boolean NOT NULL DEFAULT false,
        reallocation_reason text CONSTRAINT support_request_reallocation_reason_length CHECK (length(reallocation_reason) <= 2000),
        -- Null for requests written by the system (imports, demo data).
        created_by uuid CONSTRAINT support_request_created_by_fk REFERENCES app_user (id),
        version integer NOT NULL DEFAULT 1,
        -- Millisecond precision: the list's keyset cursor carries it through JavaScript dates.
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT support_request_submitted_when_heard CHECK (status = 'DRAFT' OR status = 'WITHDRAWN' OR submitted_on IS NOT NULL),
        CONSTRAINT support_request_withdrawn_when_closed CHECK ((status = 'WITHDRAWN') = (withdrawn_on IS NOT NULL))
      )`);
    // The panel's agenda and lists: a locality's requests by state, oldest submission first.
    await db.query(`CREATE INDEX support_request_locality_idx ON support_request (locality_id, status, submitted_on)`);
    await db.query(`CREATE INDEX support_request_school_idx ON support_request (school_id, status)`);
    // A pupil's requests, and the PANEL caseload test (EXISTS ... WHERE pupil_id = ...).
    await db.query(`CREATE INDEX support_request_pupil_idx ON support_request (pupil_id)`);
    await db.query(`CREATE INDEX support_request_created_idx ON support_request (created_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE support_request`);
  }
}
