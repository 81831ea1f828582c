import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Locality panels (issue 5): the panel's meetings, the interests its members declared at each
 * meeting, and the history of decisions on support requests.
 *
 * - `panel_meeting`: chair and attendees are names as minuted (free text, never audited): an
 *   attendee need not hold an account (a head teacher, an NHS lead). `attendees` is a JSON array
 *   of names.
 * - `panel_meeting_interest`: one row per (meeting, PANEL user, school) declared; a decision taken
 *   at that meeting by that user on a request of that school is refused (conflict of interest).
 * - `support_request_decision`: every decision, oldest first; the request's status follows the
 *   latest. An approval (APPROVED or PARTIAL) names the pool, the provider organisation and the
 *   allocation it created, all in the deciding transaction. The reason is free text: never logged,
 *   never in the audit trail.
 */
export class Panels1764380000000 implements MigrationInterface {
  name = 'Panels1764380000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE panel_meeting (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        locality_id uuid NOT NULL CONSTRAINT panel_meeting_locality_fk REFERENCES locality (id),
        meeting_on date NOT NULL,
        chair text NOT NULL CONSTRAINT panel_meeting_chair_length CHECK (length(chair) BETWEEN 1 AND 200),
        attendees jsonb NOT NULL DEFAULT '[]' CONSTRAINT panel_meeting_attendees_array CHECK (jsonb_typeof(attendees) = 'array'),
        -- Null for meetings written by the system (demo data).
        created_by uuid CONSTRAINT panel_meeting_created_by_fk REFERENCES app_user (id),
        version integer NOT NULL DEFAULT 1,
        -- Millisecond precision: the list's keyset cursor carries it through JavaScript dates.
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX panel_meeting_locality_idx ON panel_meeting (locality_id, meeting_on DESC, id DESC)`);
    await db.query(`CREATE INDEX panel_meeting_meeting_on_idx ON panel_meeting (meeting_on DESC, id DESC)`);

    await db.query(`
      CREATE TABLE panel_meeting_interest (
        meeting_id uuid NOT NULL CONSTRAINT panel_meeting_interest_meeting_fk REFERENCES panel_meeting (id) ON DELETE CASCADE,
        user_id uuid NOT NULL CONSTRAINT panel_meeting_interest_user_fk REFERENCES app_user (id),
        school_id uuid NOT NULL CONSTRAINT panel_meeting_interest_school_fk REFERENCES school (id),
        CONSTRAINT panel_meeting_interest_pk PRIMARY KEY (meeting_id, user_id, school_id)
      )`);

    await db.query(`
      CREATE TABLE support_request_decision (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL CONSTRAINT support_request_decision_request_fk REFERENCES support_request (id),
        outcome text NOT NULL CONSTRAINT support_request_decision_outcome_check
          CHECK (outcome IN ('APPROVED', 'PARTIAL', 'DECLINED', 'DEFERRED')),
        decided_on date NOT NULL,
        meeting_id uuid CONSTRAINT support_request_decision_meeting_fk REFERENCES panel_meeting (id),
        -- Null for decisions written by the system (demo data).
        decided_by uuid CONSTRAINT support_request_decision_decided_by_fk REFERENCES app_user (id),
        units_approved numeric(12, 2) CONSTRAINT support_request_decision_units_positive CHECK (units_approved > 0),
        pool_id uuid CONSTRAINT support_request_decision_pool_fk REFERENCES resource_pool (id),
        organisation_id uuid CONSTRAINT support_request_decision_organisation_fk REFERENCES organisation (id),
        allocation_id uuid CONSTRAINT support_request_decision_allocation_fk REFERENCES allocation (id),
        -- Free text: never logged, never in the audit trail.
        reason text NOT NULL CONSTRAINT support_request_decision_reason_length CHECK (length(reason) BETWEEN 1 AND 2000),
        created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        -- An approval names its units, pool, provider and allocation; the other outcomes none of them.
        CONSTRAINT support_request_decision_approval_complete CHECK (
          (outcome IN ('APPROVED', 'PARTIAL')
            AND units_approved IS NOT NULL AND pool_id IS NOT NULL AND organisation_id IS NOT NULL AND allocation_id IS NOT NULL)
          OR (outcome IN ('DECLINED', 'DEFERRED')
            AND units_approved IS NULL AND pool_id IS NULL AND organisation_id IS NULL AND allocation_id IS NULL)
        )
      )`);
    // The latest decision of a request (DISTINCT ON request_id ... ORDER BY created_at DESC).
    await db.query(`CREATE INDEX support_request_decision_request_idx ON support_request_decision (request_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX support_request_decision_pool_idx ON support_request_decision (pool_id) WHERE pool_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE support_request_decision`);
    await db.query(`DROP TABLE panel_meeting_interest`);
    await db.query(`DROP TABLE panel_meeting`);
  }
}
