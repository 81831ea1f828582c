import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions a provider delivers under an allocation (API.md "Delivery"): date, duration, whether
 * the pupil attended or why not, a short note, and the units of the allocation it used. The
 * allocation's `units_used` is the sum of its sessions' `units_used`, moved in the same
 * transaction by a guarded UPDATE (allocation_never_overdelivered is the backstop).
 */
export class AllocationSessions1764390000000 implements MigrationInterface {
  name = 'AllocationSessions1764390000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE allocation_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        allocation_id uuid NOT NULL CONSTRAINT allocation_session_allocation_fk REFERENCES allocation (id),
        delivered_on date NOT NULL,
        duration_minutes integer NOT NULL CONSTRAINT allocation_session_duration_range CHECK (duration_minutes BETWEEN 1 AND 600),
        attended boolean NOT NULL,
        absence_reason text CONSTRAINT allocation_session_absence_reason_check
          CHECK (absence_reason IN ('DID_NOT_ATTEND', 'CANCELLED_BY_SCHOOL', 'CANCELLED_BY_PROVIDER')),
        -- Free text about a child: never logged, never in the audit trail.
        note text CONSTRAINT allocation_session_note_length CHECK (length(note) BETWEEN 1 AND 500),
        units_used numeric(12, 2) NOT NULL CONSTRAINT allocation_session_units_not_negative CHECK (units_used >= 0),
        recorded_by uuid CONSTRAINT allocation_session_recorded_by_fk REFERENCES app_user (id),
        -- Millisecond precision: the list's keyset cursor carries it through JavaScript dates.
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT allocation_session_absence_iff_not_attended CHECK (attended = (absence_reason IS NULL))
      )`);
    await db.query(`CREATE INDEX allocation_session_allocation_idx ON allocation_session (allocation_id, delivered_on DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE allocation_session`);
  }
}
