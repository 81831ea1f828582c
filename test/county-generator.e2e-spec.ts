/**
 * The county generator (issue 9 part 1) at a tiny scale on fresh databases: deterministic for a
 * seed, its rows keep the model's invariants, and it refuses a database holding data it did not
 * write.
 *
 * Needs a real PostgreSQL (DATABASE_URL or TEST_DATABASE_URL): the generator is a CLI that
 * connects by URL with its own pg client, as `npm run seed:county` does. On the embedded database
 * (no URL) there is nothing for it to connect to, so this suite runs only against PostgreSQL.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { parseArgs, seedCounty } from '../src/seed/county/seed-county';
import { createIsolatedDatabase, serverUrl, type IsolatedDatabase } from './support/test-database';

const OPTS = { scale: 0.01, seed: 42, asOf: '2026-06-15' };

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** A valid UPN for a 12-digit body: check letter = sum of digit x position (2..13) mod 23. */
function upn(body: string): string {
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (i + 2), 0);
  return 'ABCDEFGHJKLMNPQRTUVWXYZ'[sum % 23] + body;
}

const TABLES = [
  'locality', 'school', 'organisation', 'service', 'pupil', 'support_plan', 'support_plan_review', 'support_request',
  'support_request_decision', 'panel_meeting', 'resource_pool', 'allocation', 'allocation_session', 'ehc_assessment',
  'advice_request', 'ehc_plan', 'ehc_exception', 'annual_review', 'deadline',
];

async function counts(c: Client): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  return out;
}

async function checksum(c: Client): Promise<string> {
  const { rows } = await c.query(`
    SELECT md5(
      (SELECT string_agg(id::text || upn || last_name || date_of_birth || sen_status || coalesce(primary_need, ''), ',' ORDER BY id) FROM pupil) ||
      (SELECT string_agg(id::text || status || units_requested || coalesce(submitted_on::text, ''), ',' ORDER BY id) FROM support_request) ||
      (SELECT string_agg(id::text || pool_id || units || units_used || status, ',' ORDER BY id) FROM allocation) ||
      (SELECT string_agg(id::text || allocated_units || capacity_units, ',' ORDER BY id) FROM resource_pool) ||
      (SELECT string_agg(id::text || kind || subject_id || starts_on || due_on || coalesce(met_on::text, '-') || coalesce(cancelled_on::text, '-'), ',' ORDER BY id) FROM deadline) ||
      (SELECT string_agg(id::text || stage, ',' ORDER BY id) FROM ehc_assessment)) AS sum`);
  return rows[0].sum;
}

/**
 * The generator writes through set-based SQL over a pg client to a real PostgreSQL (it refuses
 * anything else), so its data checks run in CI's PostgreSQL pass; on the embedded database only its
 * argument rules are checked.
 */
describe('county generator arguments', () => {
  it('takes scale, seed, as-of and the database URL, and refuses bad values', () => {
    expect(parseArgs(['--scale', '0.5', '--seed=7', '--as-of', '2026-06-15', '--database-url', 'postgres://x/y'])).toMatchObject({
      scale: 0.5, seed: 7, asOf: '2026-06-15', url: 'postgres://x/y',
    });
    expect(() => parseArgs(['--scale', '0'])).toThrow(/--scale/);
    expect(() => parseArgs(['--scale', '51'])).toThrow(/--scale/);
    expect(() => parseArgs(['--seed', '1.5'])).toThrow(/--seed/);
    expect(() => parseArgs(['--as-of', '15/06/2026'])).toThrow(/--as-of/);
  });
});

(serverUrl() ? describe : describe.skip)('county generator (seed:county)', () => {
  let a: IsolatedDatabase;
  let b: IsolatedDatabase;

  beforeAll(async () => {
    a = await createIsolatedDatabase();
    b = await createIsolatedDatabase();
    await seedCounty(a.url!, OPTS);
    await seedCounty(b.url!, OPTS);
  }, 240_000);

  afterAll(async () => {
    await a?.drop();
    await b?.drop();
  });

  it('is deterministic: the same seed gives the same counts and the same rows', async () => {
    const [ca, sa] = await withClient(a.url!, async (c) => [await counts(c), await checksum(c)] as const);
    const [cb, sb] = await withClient(b.url!, async (c) => [await counts(c), await checksum(c)] as const);
    expect(cb).toEqual(ca);
    expect(sb).toBe(sa);
    // Scale 0.01 of a Kent-sized county.
    expect(ca.locality).toBe(1);
    expect(ca.school).toBe(6);
    expect(ca.pupil).toBe(550);
    expect(ca.support_request).toBe(900);
    expect(ca.ehc_assessment).toBe(120);
    for (const t of TABLES) expect([t, ca[t]]).not.toEqual([t, 0]);
    // Ids are v4-shaped, so the API's uuid validation (class-validator IsUUID('all')) accepts them.
    const bad = await withClient(a.url!, (c) =>
      c.query(`SELECT count(*) AS n FROM (SELECT id FROM pupil UNION ALL SELECT id FROM locality UNION ALL SELECT id FROM deadline) x
               WHERE id::text !~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'`),
    );
    expect(Number(bad.rows[0].n)).toBe(0);
  });

  it('keeps the invariants: pool ledger exact, every allocation has its decision, deadlines after their start', async () => {
    await withClient(a.url!, async (c) => {
      const ledger = await c.query(`
        SELECT count(*) AS n FROM resource_pool p
        WHERE p.allocated_units <> coalesce((SELECT sum(units) FROM allocation a WHERE a.pool_id = p.id AND a.status NOT IN ('DECLINED', 'CANCELLED')), 0)
           OR p.allocated_units > p.capacity_units`);
      expect(Number(ledger.rows[0].n)).toBe(0);
      const orphan = await c.query(`
        SELECT count(*) AS n FROM allocation a
        WHERE NOT EXISTS (SELECT 1 FROM support_request_decision d WHERE d.allocation_id = a.id AND d.request_id = a.request_id
                          AND d.pool_id = a.pool_id AND d.units_approved = a.units AND d.outcome IN ('APPROVED', 'PARTIAL'))`);
      expect(Number(orphan.rows[0].n)).toBe(0);
      const used = await c.query(`
        SELECT count(*) AS n FROM allocation a
        WHERE a.units_used <> coalesce((SELECT sum(units_used) FROM allocation_session s WHERE s.allocation_id = a.id), 0)`);
      expect(Number(used.rows[0].n)).toBe(0);
      const dates = await c.query(`
        SELECT count(*) AS n FROM deadline
        WHERE met_on < starts_on OR cancelled_on < starts_on OR due_on < starts_on OR met_on > $1::date OR cancelled_on > $1::date`, [OPTS.asOf]);
      expect(Number(dates.rows[0].n)).toBe(0);
      // Due dates follow the sla_rule table (AGREED = the plan's own review date).
      const due = await c.query(`
        SELECT count(*) AS n FROM deadline d JOIN sla_rule r ON r.kind = d.kind
        LEFT JOIN support_plan sp ON d.subject_type = 'SUPPORT_PLAN' AND sp.id = d.subject_id
        LEFT JOIN allocation al ON d.kind = 'DELIVERY_START' AND al.id = d.subject_id
        LEFT JOIN service sv ON sv.code = al.service_code
        WHERE d.due_on <> CASE
          WHEN r.duration_unit = 'AGREED' THEN sp.review_on
          WHEN d.kind = 'DELIVERY_START' THEN d.starts_on + 7 * coalesce(sv.delivery_start_weeks, r.duration_value)
          WHEN r.duration_unit = 'WEEKS' THEN d.starts_on + 7 * r.duration_value
          WHEN r.duration_unit = 'DAYS' THEN d.starts_on + r.duration_value
          WHEN r.duration_unit = 'MONTHS' THEN (d.starts_on + make_interval(months => r.duration_value))::date END`);
      expect(Number(due.rows[0].n)).toBe(0);
      // Every deadline's subject exists, with the subject type its kind belongs to.
      const subjects = await c.query(`
        SELECT count(*) AS n FROM deadline d WHERE NOT CASE d.subject_type
          WHEN 'SUPPORT_PLAN' THEN EXISTS (SELECT 1 FROM support_plan x WHERE x.id = d.subject_id)
          WHEN 'SUPPORT_REQUEST' THEN EXISTS (SELECT 1 FROM support_request x WHERE x.id = d.subject_id)
          WHEN 'ALLOCATION' THEN EXISTS (SELECT 1 FROM allocation x WHERE x.id = d.subject_id)
          WHEN 'EHC_ASSESSMENT' THEN EXISTS (SELECT 1 FROM ehc_assessment x WHERE x.id = d.subject_id)
          WHEN 'ADVICE_REQUEST' THEN EXISTS (SELECT 1 FROM advice_request x WHERE x.id = d.subject_id)
          WHEN 'EHC_PLAN' THEN EXISTS (SELECT 1 FROM ehc_plan x WHERE x.id = d.subject_id)
          WHEN 'ANNUAL_REVIEW' THEN EXISTS (SELECT 1 FROM annual_review x WHERE x.id = d.subject_id) END`);
      expect(Number(subjects.rows[0].n)).toBe(0);
      // Every EHC outcome occurs.
      const stages = await c.query(`SELECT array_agg(DISTINCT stage ORDER BY stage) AS s FROM ehc_assessment`);
      expect(stages.rows[0].s).toEqual(expect.arrayContaining(['ASSESSING', 'NOT_ASSESSED', 'PLAN_ISSUED', 'WITHDRAWN']));
      // Every CHECK holds by construction (the inserts would have failed otherwise); re-evaluated here.
      const checks = await c.query(`
        SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE contype = 'c' AND connamespace = 'public'::regnamespace`);
      expect(checks.rows.length).toBeGreaterThan(50);
      for (const row of checks.rows) {
        const expr = String(row.def).replace(/^CHECK /, '');
        const bad = await c.query(`SELECT count(*) AS n FROM ${row.t} WHERE NOT coalesce(${expr}, true)`);
        expect([row.conname, Number(bad.rows[0].n)]).toEqual([row.conname, 0]);
      }
    });
  }, 120_000);

  it('runs again over its own data, and refuses a database with data it did not write', async () => {
    await seedCounty(a.url!, OPTS);
    const again = await withClient(a.url!, (c) => counts(c));
    const original = await withClient(b.url!, (c) => counts(c));
    expect(again).toEqual(original);

    const fresh = await createIsolatedDatabase();
    try {
      const ds = new DataSource(dataSourceOptions({ url: fresh.url!, poolSize: 1 }));
      await ds.initialize();
      await ds.runMigrations();
      const loc = await ds.query(`INSERT INTO locality (code, name, area, district) VALUES ('REAL-01', 'Real', 'North', 'Dartford') RETURNING id`);
      const school = await ds.query(
        `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('118246', 'Real School', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`,
        [loc[0].id],
      );
      await ds.query(
        `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
         VALUES ($1, 'Real', 'Child', 'real', 'child', '2016-01-01', $2, 'K', 'SLCN')`,
        [upn('886000000001'), school[0].id],
      );
      await ds.destroy();
      await expect(seedCounty(fresh.url!, OPTS)).rejects.toThrow(/did not write/);
      const left = await withClient(fresh.url!, async (c) => ({
        schools: Number((await c.query(`SELECT count(*) AS n FROM school`)).rows[0].n),
        marker: Number((await c.query(`SELECT count(*) AS n FROM county_generator`)).rows[0].n),
      }));
      expect(left).toEqual({ schools: 1, marker: 0 });
      expect(Number((await withClient(fresh.url!, (c) => c.query(`SELECT count(*) AS n FROM pupil`))).rows[0].n)).toBe(1);
    } finally {
      await fresh.drop();
    }
  }, 120_000);
});
