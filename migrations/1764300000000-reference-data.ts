import { MigrationInterface, QueryRunner } from 'typeorm';

/** Localities, schools, provider organisations and their service catalogue. */
export class ReferenceData1764300000000 implements MigrationInterface {
  name = 'ReferenceData1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE locality (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL CONSTRAINT locality_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,19}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
        area text NOT NULL CHECK (length(area) BETWEEN 1 AND 60),
        district text NOT NULL CHECK (length(district) BETWEEN 1 AND 60),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT locality_code_unique UNIQUE (code)
      )`);
    await db.query(`CREATE INDEX locality_name_idx ON locality (name, id)`);
    await db.query(`CREATE INDEX locality_area_idx ON locality (area, district)`);

    await db.query(`
      CREATE TABLE school (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        urn text NOT NULL CONSTRAINT school_urn_format CHECK (urn ~ '^[0-9]{6}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        phase text NOT NULL CHECK (phase IN ('PRIMARY', 'MIDDLE', 'SECONDARY', 'ALL_THROUGH')),
        kind text NOT NULL CHECK (kind IN ('MAINSTREAM', 'SPECIAL', 'PRU', 'INDEPENDENT')),
        locality_id uuid NOT NULL CONSTRAINT school_locality_fk REFERENCES locality (id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT school_urn_unique UNIQUE (urn)
      )`);
    await db.query(`CREATE INDEX school_locality_idx ON school (locality_id, name, id)`);
    await db.query(`CREATE INDEX school_name_idx ON school (name, id)`);

    await db.query(`
      CREATE TABLE organisation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('KCC_SERVICE', 'NHS', 'VOLUNTARY', 'INDEPENDENT')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX organisation_name_unique ON organisation (lower(name))`);
    await db.query(`CREATE INDEX organisation_name_idx ON organisation (name, id)`);

    await db.query(`
      CREATE TABLE service (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL CONSTRAINT service_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{1,19}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        organisation_id uuid NOT NULL CONSTRAINT service_organisation_fk REFERENCES organisation (id),
        unit text NOT NULL CHECK (unit IN ('HOURS', 'SESSIONS', 'GBP', 'PLACES')),
        delivery_start_weeks integer CHECK (delivery_start_weeks BETWEEN 1 AND 52),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT service_code_unique UNIQUE (code)
      )`);
    await db.query(`CREATE INDEX service_organisation_idx ON service (organisation_id, code, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE service`);
    await db.query(`DROP TABLE organisation`);
    await db.query(`DROP TABLE school`);
    await db.query(`DROP TABLE locality`);
  }
}
