import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { dataSourceOptions } from '../src/database/data-source';
import { EmbeddedPostgres, IN_MEMORY } from '../src/database/embedded-postgres';
import { createIsolatedDatabase, IsolatedDatabase } from './support/test-database';

/**
 * The schema comes only from migrations (data-source.ts): on a clean database they go up, come
 * all the way down leaving nothing behind, and go up again. Runs on the configured PostgreSQL
 * (a database of its own) or on an embedded one.
 */
describe('migrations', () => {
  const APP_TABLES = [
    'allocation', 'allocation_session', 'app_user', 'audit_event', 'deadline', 'locality', 'organisation', 'panel_meeting', 'panel_meeting_interest', 'pupil', 'pupil_history', 'rate_limit',
    'resource_pool', 'school', 'service', 'sla_rule', 'support_plan', 'support_plan_review', 'support_request', 'support_request_decision',
    'advice_request', 'annual_review', 'ehc_appeal', 'ehc_assessment', 'ehc_exception', 'ehc_plan',
  ];
  /** Reference rows a migration itself seeds (the SLA rules of DOMAIN.md's timescales table). */
  const SEEDED: Record<string, number> = { sla_rule: 13 };
  const MIGRATIONS_TABLE = 'schema_migration';

  let database: IsolatedDatabase;
  let embedded: EmbeddedPostgres | undefined;
  let dataSource: DataSource;
  /** What the database held before any migration (on PostgreSQL, TypeORM's connect-time uuid-ossp). */
  let baseline: string[];

  beforeAll(async () => {
    database = await createIsolatedDatabase();
    let url = database.url;
    if (!url) {
      embedded = await EmbeddedPostgres.start(IN_MEMORY, 4);
      url = embedded.url;
    }
    dataSource = new DataSource(dataSourceOptions({ url, poolSize: 2 }));
    await dataSource.initialize();
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    await database?.drop();
  });

  const publicTables = async (): Promise<string[]> =>
    (
      await dataSource.query(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      )
    ).map((r: { table_name: string }) => r.table_name);

  /**
   * Everything a migration could leave behind in public: tables, views, sequences, indexes, types,
   * functions; TypeORM's own migrations table (and its id sequence) excepted. Down must get back
   * to exactly what was there before the first up.
   */
  const leftovers = async (): Promise<string[]> => {
    const rows: { kind: string; name: string }[] = await dataSource.query(
      `SELECT 'table' AS kind, table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name <> $1
       UNION ALL
       SELECT 'sequence', sequence_name FROM information_schema.sequences
        WHERE sequence_schema = 'public' AND sequence_name <> $1 || '_id_seq'
       UNION ALL
       SELECT 'index', indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename <> $1
       UNION ALL
       SELECT 'routine', routine_name FROM information_schema.routines WHERE routine_schema = 'public'
       UNION ALL
       SELECT 'type', t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_class c ON c.oid = t.typrelid
        WHERE n.nspname = 'public' AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND c.relkind = 'c'))
       ORDER BY 1, 2`,
      [MIGRATIONS_TABLE],
    );
    return rows.map((r) => `${r.kind} ${r.name}`);
  };

  const applied = async (): Promise<string[]> =>
    (await dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).map((r: { name: string }) => r.name);

  async function undoAll(): Promise<number> {
    let undone = 0;
    while ((await applied()).length > 0) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      undone += 1;
      if (undone > MIGRATIONS.length) throw new Error('undoLastMigration did not reduce the applied migrations');
    }
    return undone;
  }

  /** Every column an entity maps exists in its table with the same nullability. */
  async function expectSchemaMatchesEntities(): Promise<void> {
    const columns: { table_name: string; column_name: string; is_nullable: 'YES' | 'NO' }[] = await dataSource.query(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    for (const entity of dataSource.entityMetadatas) {
      const table = columns.filter((c) => c.table_name === entity.tableName);
      expect({ table: entity.tableName, exists: table.length > 0 }).toEqual({ table: entity.tableName, exists: true });
      const actual = Object.fromEntries(table.map((c) => [c.column_name, c.is_nullable === 'YES']));
      const mapped = Object.fromEntries(entity.columns.map((c) => [c.databaseName, c.isNullable]));
      expect({ table: entity.tableName, columns: actual }).toEqual({ table: entity.tableName, columns: mapped });
    }
  }

  it('starts from a clean database', async () => {
    expect(await publicTables()).toEqual([]);
    expect(await dataSource.showMigrations()).toBe(true);
    baseline = await leftovers();
    expect(baseline.filter((o) => /^(table|sequence|index|type) /.test(o))).toEqual([]);
  });

  it('runs every migration up: the reference tables exist and match the entities', async () => {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => new m().name));
    expect(await publicTables()).toEqual([...APP_TABLES, MIGRATIONS_TABLE].sort());
    expect(await applied()).toHaveLength(MIGRATIONS.length);
    expect(await dataSource.showMigrations()).toBe(false);
    await expectSchemaMatchesEntities();

    // Running again is a no-op.
    expect(await dataSource.runMigrations({ transaction: 'each' })).toEqual([]);
    expect(await applied()).toHaveLength(MIGRATIONS.length);
  });

  it('enforces the contract in the database itself (unique keys, checks, foreign keys)', async () => {
    const [{ id: locality }] = await dataSource.query(
      `INSERT INTO locality (code, name, area, district) VALUES ('MIG-01', 'Migrated', 'North', 'Dartford') RETURNING id`,
    );
    await dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('123456', 'Migrated School', 'PRIMARY', 'MAINSTREAM', $1)`,
      [locality],
    );
    const refused = async (sql: string, params: unknown[] = []) => {
      const error = await dataSource.query(sql, params).then(
        () => undefined,
        (e: { driverError?: { code?: string }; code?: string }) => e.driverError?.code ?? e.code,
      );
      return error;
    };
    // unique_violation, check_violation, foreign_key_violation
    expect(await refused(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('123456', 'Twin', 'PRIMARY', 'MAINSTREAM', $1)`, [locality])).toBe('23505');
    expect(await refused(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('12345', 'Short', 'PRIMARY', 'MAINSTREAM', $1)`, [locality])).toBe('23514');
    expect(await refused(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('654321', 'Nursery', 'NURSERY', 'MAINSTREAM', $1)`, [locality])).toBe('23514');
    expect(
      await refused(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('654321', 'Orphan', 'PRIMARY', 'MAINSTREAM', gen_random_uuid())`),
    ).toBe('23503');
    const [{ id: organisation }] = await dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('Migrated Org', 'NHS') RETURNING id`);
    expect(await refused(`INSERT INTO organisation (name, kind) VALUES ('MIGRATED ORG', 'NHS')`)).toBe('23505');
    await dataSource.query(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('MIG', 'Migrated Service', $1, 'HOURS')`, [organisation]);
    expect(await refused(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('MIG', 'Again', $1, 'HOURS')`, [organisation])).toBe('23505');
    expect(await refused(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('MIG2', 'Minutes', $1, 'MINUTES')`, [organisation])).toBe('23514');
    expect(
      await refused(`INSERT INTO service (code, name, organisation_id, unit, delivery_start_weeks) VALUES ('MIG3', 'Zero', $1, 'HOURS', 0)`, [organisation]),
    ).toBe('23514');
  });

  it('undoes every migration, even with rows in the tables, and leaves no app tables behind', async () => {
    expect(await undoAll()).toBe(MIGRATIONS.length);
    expect(await applied()).toEqual([]);
    expect(await publicTables()).toEqual([MIGRATIONS_TABLE]);
    for (const table of APP_TABLES) {
      const [{ n }] = await dataSource.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      );
      expect({ table, n }).toEqual({ table, n: 0 });
    }
    expect(await leftovers()).toEqual(baseline);
    expect(await dataSource.showMigrations()).toBe(true);
  });

  it('runs up again after down (up, down, up) to the same schema', async () => {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    expect(ran).toHaveLength(MIGRATIONS.length);
    expect(await publicTables()).toEqual([...APP_TABLES, MIGRATIONS_TABLE].sort());
    await expectSchemaMatchesEntities();
    // The tables are empty and usable again.
    for (const table of APP_TABLES) {
      expect({ table, rows: (await dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n }).toEqual({ table, rows: SEEDED[table] ?? 0 });
    }
    await dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ('MIG-01', 'Migrated', 'North', 'Dartford')`);

    // And down and up once more, to be sure the cycle repeats.
    expect(await undoAll()).toBe(MIGRATIONS.length);
    expect(await leftovers()).toEqual(baseline);
    expect(await dataSource.runMigrations({ transaction: 'each' })).toHaveLength(MIGRATIONS.length);
    expect(await publicTables()).toEqual([...APP_TABLES, MIGRATIONS_TABLE].sort());
  });
});
