import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PasswordHasher } from '../auth/password-hasher';
import { DEMO_LOCALITIES, DEMO_ORGANISATIONS, DEMO_PASSWORD, DEMO_SCHOOLS, DEMO_SERVICES, DEMO_USERS } from './demo-data';

export interface SeedCounts {
  localities: number;
  schools: number;
  organisations: number;
  services: number;
  users: number;
}

/**
 * Demo data for a newcomer's first start. Every insert is keyed on a natural key and skips
 * rows that exist, so running it again changes nothing.
 */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoSeed');

  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seeds an empty database at start when SEED_DEMO is on (the default on the embedded one). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemo) return;
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM locality`);
    if (count > 0) return;
    const added = await this.seed();
    this.logger.log(`demo data seeded: ${JSON.stringify(added)}`);
  }

  /** Adds whatever demo rows are missing; returns how many of each were added. */
  async seed(): Promise<SeedCounts> {
    const passwordHash = await this.hasher.hash(DEMO_PASSWORD);
    return this.dataSource.transaction(async (manager) => ({
      ...(await this.seedReferenceData(manager)),
      users: await this.seedUsers(manager, passwordHash),
    }));
  }

  /** Demo logins, one or more per role (README lists them); skipped when the email exists. */
  private seedUsers(manager: EntityManager, passwordHash: string): Promise<number> {
    return insertMissing(
      manager,
      `INSERT INTO app_user (email, name, role, school_id, locality_id, area, organisation_id, password_hash)
       SELECT d.email, d.name, d.role, s.id, l.id, d.area, o.id, $2
       FROM jsonb_to_recordset($1::jsonb)
         AS d(email text, name text, role text, "schoolUrn" text, "localityCode" text, area text, organisation text)
       LEFT JOIN school s ON s.urn = d."schoolUrn"
       LEFT JOIN locality l ON l.code = d."localityCode"
       LEFT JOIN organisation o ON lower(o.name) = lower(d.organisation)
       ON CONFLICT DO NOTHING`,
      DEMO_USERS,
      [passwordHash],
    );
  }

  private async seedReferenceData(manager: EntityManager): Promise<Omit<SeedCounts, 'users'>> {
    const localities = await insertMissing(
      manager,
      `INSERT INTO locality (code, name, area, district)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(code text, name text, area text, district text)
       ON CONFLICT (code) DO NOTHING`,
      DEMO_LOCALITIES,
    );
    const schools = await insertMissing(
      manager,
      `INSERT INTO school (urn, name, phase, kind, locality_id)
       SELECT d.urn, d.name, d.phase, 'MAINSTREAM', l.id
       FROM jsonb_to_recordset($1::jsonb) AS d(urn text, name text, phase text, "localityCode" text)
       JOIN locality l ON l.code = d."localityCode"
       ON CONFLICT (urn) DO NOTHING`,
      DEMO_SCHOOLS,
    );
    const organisations = await insertMissing(
      manager,
      `INSERT INTO organisation (name, kind)
       SELECT d.name, d.kind FROM jsonb_to_recordset($1::jsonb) AS d(name text, kind text)
       WHERE NOT EXISTS (SELECT 1 FROM organisation o WHERE lower(o.name) = lower(d.name))`,
      DEMO_ORGANISATIONS,
    );
    const services = await insertMissing(
      manager,
      `INSERT INTO service (code, name, organisation_id, unit, delivery_start_weeks)
       SELECT d.code, d.name, o.id, d.unit, d."deliveryStartWeeks"
       FROM jsonb_to_recordset($1::jsonb) AS d(code text, name text, organisation text, unit text, "deliveryStartWeeks" int)
       JOIN organisation o ON lower(o.name) = lower(d.organisation)
       ON CONFLICT (code) DO NOTHING`,
      DEMO_SERVICES,
    );
    return { localities, schools, organisations, services };
  }
}

async function insertMissing(manager: EntityManager, sql: string, rows: object[], extra: unknown[] = []): Promise<number> {
  const result: unknown = await manager.query(`${sql} RETURNING 1`, [JSON.stringify(rows), ...extra]);
  // TypeORM's postgres driver answers [rows, affected] for writes with RETURNING... or just rows.
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
