import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Resource pools: what a locality's panel holds of one catalogue service for a period (STLS
 * hours, therapy sessions, High Needs Funding, places), in the service's unit. The CHECKs make
 * the database itself refuse an overspent pool: allocated_units never exceeds capacity_units and
 * never goes below zero, whatever the application does.
 *
 * Periods of the same locality and service must not overlap. An EXCLUDE USING gist constraint
 * would need the btree_gist extension (not available everywhere, nor in the embedded database),
 * so the service checks it instead, inside the creating transaction, after locking the locality
 * row FOR UPDATE: two creations for one locality queue on that lock, so the check cannot race.
 * The unique constraint on (locality_id, service_code, period_start) is the database's backstop.
 */
export class ResourcePools1764360000000 implements MigrationInterface {
  name = 'ResourcePools1764360000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE resource_pool (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        locality_id uuid NOT NULL CONSTRAINT resource_pool_locality_fk REFERENCES locality (id),
        service_code text NOT NULL CONSTRAINT resource_pool_service_fk REFERENCES service (code),
        -- Both ends inclusive.
        period_start date NOT NULL,
        period_end date NOT NULL,
        capacity_units numeric(12, 2) NOT NULL CONSTRAINT resource_pool_capacity_positive CHECK (capacity_units > 0),
        allocated_units numeric(12, 2) NOT NULL DEFAULT 0
          CONSTRAINT resource_pool_never_overspent CHECK (allocated_units >= 0 AND allocated_units <= capacity_units),
        -- Null for pools written by the system (imports, demo data).
        created_by uuid CONSTRAINT resource_pool_created_by_fk REFERENCES app_user (id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT resource_pool_period_in_order CHECK (period_end > period_start),
        CONSTRAINT resource_pool_period_unique UNIQUE (locality_id, service_code, period_start)
      )`);
    await db.query(`CREATE INDEX resource_pool_service_idx ON resource_pool (service_code)`);
    await db.query(`CREATE INDEX resource_pool_period_idx ON resource_pool (period_start, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE resource_pool`);
  }
}
