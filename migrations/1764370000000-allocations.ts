import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Allocations: units of a locality pool given by the panel to a provider organisation for one
 * support request (API.md "Delivery"). The pool's `allocated_units` always equals the sum of the
 * `units` of its allocations that still hold units (every status but DECLINED and CANCELLED,
 * whose unused units went back): the ledger functions in src/pools/pool-ledger.ts move both in
 * one transaction. A COMPLETED allocation keeps its units (spent or not, the work is closed).
 *
 * Acceptance and delivery-start due dates are not columns: they are the ALLOCATION_ACCEPTANCE and
 * DELIVERY_START deadlines (subject ALLOCATION = this id), read through the one deadline table.
 */
export class Allocations1764370000000 implements MigrationInterface {
  name = 'Allocations1764370000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE allocation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL CONSTRAINT allocation_request_fk REFERENCES support_request (id),
        pupil_id uuid NOT NULL CONSTRAINT allocation_pupil_fk REFERENCES pupil (id),
        -- The request's school and locality (the panel that allocated), for scope and dashboards.
        school_id uuid NOT NULL CONSTRAINT allocation_school_fk REFERENCES school (id),
        locality_id uuid NOT NULL CONSTRAINT allocation_locality_fk REFERENCES locality (id),
        pool_id uuid NOT NULL CONSTRAINT allocation_pool_fk REFERENCES resource_pool (id),
        organisation_id uuid NOT NULL CONSTRAINT allocation_organisation_fk REFERENCES organisation (id),
        service_code text NOT NULL CONSTRAINT allocation_service_fk REFERENCES service (code),
        units numeric(12, 2) NOT NULL CONSTRAINT allocation_units_positive CHECK (units > 0),
        units_used numeric(12, 2) NOT NULL DEFAULT 0
          CONSTRAINT allocation_never_overdelivered CHECK (units_used >= 0 AND units_used <= units),
        status text NOT NULL DEFAULT 'OFFERED' CONSTRAINT allocation_status_check
          CHECK (status IN ('OFFERED', 'ACCEPTED', 'DECLINED', 'IN_DELIVERY', 'COMPLETED', 'CANCELLED')),
        offered_on date NOT NULL,
        accepted_on date,
        declined_on date,
        -- Free text: never logged, never in the audit trail.
        decline_reason text CONSTRAINT allocation_decline_reason_length CHECK (length(decline_reason) BETWEEN 1 AND 2000),
        first_session_on date,
        completed_on date,
        outcome text CONSTRAINT allocation_outcome_check CHECK (outcome IN ('NEED_MET', 'PARTLY_MET', 'NOT_MET', 'REFERRED_ON')),
        outcome_summary text CONSTRAINT allocation_outcome_summary_length CHECK (length(outcome_summary) BETWEEN 1 AND 4000),
        cancelled_on date,
        cancel_reason text CONSTRAINT allocation_cancel_reason_length CHECK (length(cancel_reason) BETWEEN 1 AND 2000),
        -- Null for allocations written by the system (imports, demo data).
        created_by uuid CONSTRAINT allocation_created_by_fk REFERENCES app_user (id),
        version integer NOT NULL DEFAULT 1,
        -- Millisecond precision: the list's keyset cursor carries it through JavaScript dates.
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT allocation_accepted_when_taken CHECK (status NOT IN ('ACCEPTED', 'IN_DELIVERY', 'COMPLETED') OR accepted_on IS NOT NULL),
        CONSTRAINT allocation_declined_dated CHECK ((status = 'DECLINED') = (declined_on IS NOT NULL)),
        CONSTRAINT allocation_cancelled_dated CHECK ((status = 'CANCELLED') = (cancelled_on IS NOT NULL)),
        CONSTRAINT allocation_completed_with_outcome CHECK ((status = 'COMPLETED') = (completed_on IS NOT NULL AND outcome IS NOT NULL))
      )`);
    // A provider's worklist and the panel's lists.
    await db.query(`CREATE INDEX allocation_organisation_idx ON allocation (organisation_id, status, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX allocation_locality_idx ON allocation (locality_id, status)`);
    await db.query(`CREATE INDEX allocation_school_idx ON allocation (school_id, status)`);
    await db.query(`CREATE INDEX allocation_request_idx ON allocation (request_id)`);
    // The PROVIDER caseload test (EXISTS ... WHERE pupil_id = ... AND organisation_id = ...).
    await db.query(`CREATE INDEX allocation_pupil_idx ON allocation (pupil_id, organisation_id)`);
    // The ledger check: sum of a pool's allocations.
    await db.query(`CREATE INDEX allocation_pool_idx ON allocation (pool_id)`);
    await db.query(`CREATE INDEX allocation_created_idx ON allocation (created_at DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE allocation`);
  }
}
