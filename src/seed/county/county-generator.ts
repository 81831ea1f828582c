/**
 * County-scale data generator (issue 9, part 1): a Kent-sized county per unit of scale, three
 * years of history, written set-based (INSERT ... SELECT generate_series) straight into
 * PostgreSQL. A development tool: it writes a `county_generator` marker row first and refuses a
 * database that holds pupils without that marker (real or hand-entered data).
 *
 * Deterministic for a seed and an as-of date: every id is md5(seed:tag:n) as a v4-shaped uuid and every
 * random choice is a hash of (seed, tag, n) (hashtextextended), never random(), so the same seed
 * gives the same rows whatever order PostgreSQL evaluates them in.
 *
 * Numbering: localities 0..L-1, schools 0..S-1 (school n sits in locality n % L), pupils 1..P.
 * Ids are computed from those numbers, so most rows need no join to find their parents.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { DEMO_ORGANISATIONS, DEMO_SERVICES } from '../demo-data';

export interface CountyOptions {
  scale: number;
  seed: number;
  /** The generator's "today": history runs three years back from it. */
  asOf: string;
}

export interface StepResult {
  table: string;
  rows: number;
  ms: number;
}

export type Progress = (step: StepResult) => void;

/** The marker table and the refusal rule. */
export class CountyGeneratorRefused extends Error {}

const NEEDS_K: [string, number][] = [
  ['SLCN', 25], ['SEMH', 20], ['MLD', 14], ['SPLD', 12], ['ASD', 11], ['OTH', 4], ['PD', 3], ['NSA', 4],
  ['HI', 2], ['VI', 1], ['SLD', 2], ['MSI', 1], ['PMLD', 1],
];
const NEEDS_E: [string, number][] = [
  ['ASD', 35], ['SEMH', 17], ['SLCN', 15], ['SLD', 8], ['MLD', 7], ['PD', 5], ['SPLD', 4], ['PMLD', 2],
  ['HI', 2], ['VI', 1], ['MSI', 1], ['OTH', 3],
];
const SERVICE_MIX: [string, number][] = [
  ['STLS', 30], ['SALT', 18], ['EP', 10], ['OT', 9], ['MHS', 10], ['FAMSUP', 8], ['PHYSIO', 5], ['HNF', 8], ['SRP', 2],
];
const FIRST_NAMES = [
  'Oliver', 'George', 'Harry', 'Noah', 'Jack', 'Leo', 'Arthur', 'Muhammad', 'Oscar', 'Charlie', 'Jacob', 'Thomas',
  'Henry', 'William', 'Alfie', 'Archie', 'Joshua', 'Freddie', 'Theo', 'Isaac', 'Olivia', 'Amelia', 'Isla', 'Ava',
  'Ivy', 'Freya', 'Lily', 'Florence', 'Mia', 'Willow', 'Rosie', 'Sophia', 'Isabella', 'Grace', 'Daisy', 'Sienna',
  'Poppy', 'Elsie', 'Emily', 'Ella', 'Evie', 'Ruby', 'Priya', 'Amir', 'Kacper', 'Zofia', 'Tomasz', 'Aisha',
];
const LAST_NAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright', 'Thompson',
  'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Patel', 'Khan', 'Lewis',
  'James', 'Phillips', 'Mason', 'Mitchell', 'Rose', 'Davis', 'Rodriguez', 'Cox', 'Alexander', 'Garden', 'Campbell',
  'Johnston', 'Moore', 'Smyth', 'Obrien', 'King', 'Baker', 'Harris', 'Cooper', 'Ward', 'Morris', 'Turner', 'Hill',
  'Cook', 'Edwards', 'Hughes', 'Kowalski', 'Nowak', 'Singh', 'Begum', 'Ahmed', 'Ali', 'Hussain', 'Scott', 'Young',
  'Allen', 'Bailey', 'Bell', 'Carter', 'Chapman', 'Ellis', 'Fisher', 'Foster', 'Gray', 'Harrison', 'Holmes', 'Hunt',
];
/** Kent's 12 districts in its 4 areas (as the demo seed has them). */
const DISTRICTS: { code: string; district: string; area: string }[] = [
  { code: 'DAR', district: 'Dartford', area: 'North' },
  { code: 'GRA', district: 'Gravesham', area: 'North' },
  { code: 'SEV', district: 'Sevenoaks', area: 'North' },
  { code: 'MAI', district: 'Maidstone', area: 'West' },
  { code: 'TMA', district: 'Tonbridge and Malling', area: 'West' },
  { code: 'TUN', district: 'Tunbridge Wells', area: 'West' },
  { code: 'CAN', district: 'Canterbury', area: 'East' },
  { code: 'SWA', district: 'Swale', area: 'East' },
  { code: 'THA', district: 'Thanet', area: 'East' },
  { code: 'ASH', district: 'Ashford', area: 'South' },
  { code: 'DOV', district: 'Dover', area: 'South' },
  { code: 'FOL', district: 'Folkestone and Hythe', area: 'South' },
];
const SOCIAL_CARE_ORG = 'KCC Children’s Social Work Services';
const EP_ORG = 'KCC Educational Psychology Service';
const NHS_ORG = 'Kent Community Health NHS Foundation Trust';

/** Every table the generator writes, children first (the order a reset truncates in). */
export const GENERATED_TABLES = [
  'allocation_session', 'support_request_decision', 'allocation', 'resource_pool', 'panel_meeting_interest', 'panel_meeting',
  'support_request', 'support_plan_review', 'support_plan', 'annual_review', 'ehc_exception', 'ehc_appeal', 'ehc_plan',
  'advice_request', 'ehc_assessment', 'deadline', 'pupil_history', 'pupil', 'school', 'service', 'organisation', 'locality',
];

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

interface KentSchool {
  urn: string;
  name: string;
  phase: 'PRIMARY' | 'SECONDARY';
  kind: 'MAINSTREAM' | 'SPECIAL';
}

/** The real Kent schools (URN and name) of src/seed/data/kent-schools.csv. */
export function readKentSchools(path?: string): KentSchool[] {
  // From src/ (ts-node, jest) or dist/src/ (the compiled CLI: tsc does not copy the CSV).
  const here = typeof __dirname === 'string' ? [join(__dirname, '..', 'data'), join(__dirname, '..', '..', '..', '..', 'src', 'seed', 'data')] : [];
  const candidates = [...here, join(process.cwd(), 'src', 'seed', 'data')].map((dir) => join(dir, 'kent-schools.csv'));
  const file = path ?? candidates.find((c) => existsSync(c)) ?? candidates[0];
  const text = readFileSync(file, 'utf8');
  const out: KentSchool[] = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (!line.trim()) continue;
    const fields: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
        else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') fields.push(cur), (cur = '');
      else cur += c;
    }
    fields.push(cur);
    const [urn, rawName, phaseGuess] = fields;
    if (!/^[0-9]{6}$/.test(urn ?? '')) continue;
    const name = (rawName ?? '').replace(/''/g, "'").trim().slice(0, 200);
    const secondary = phaseGuess === 'SECONDARY' || (!phaseGuess && /grammar|secondary|high school|college|academy(?!.*primary)/i.test(name) && !/primary|infant|junior/i.test(name));
    const special = /special|school for|foundation special/i.test(name);
    out.push({ urn, name, phase: secondary ? 'SECONDARY' : 'PRIMARY', kind: special ? 'SPECIAL' : 'MAINSTREAM' });
  }
  return out;
}

/** SQL CASE picking a weighted item by a uniform [0,1) expression. */
function pick(r: string, items: [string, number][]): string {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const whens = items.slice(0, -1).map(([v, w]) => {
    acc += w;
    return `WHEN ${r} < ${(acc / total).toFixed(6)} THEN ${q(v)}`;
  });
  return `(CASE ${whens.join(' ')} ELSE ${q(items[items.length - 1][0])} END)`;
}

/** UPN check letter of a 12-digit body (DOMAIN.md): sum of value x position 2..13, mod 23. */
function upnSql(body: string): string {
  const terms = Array.from({ length: 12 }, (_, i) => `substr(${body}, ${i + 1}, 1)::int * ${i + 2}`);
  return `substr('ABCDEFGHJKLMNPQRTUVWXYZ', ((${terms.join(' + ')}) % 23) + 1, 1) || ${body}`;
}

export class CountyGenerator {
  private readonly seed: number;
  constructor(
    private readonly client: Client,
    private readonly opts: CountyOptions,
    private readonly progress: Progress = () => undefined,
  ) {
    this.seed = Math.trunc(opts.seed);
  }

  /** Uniform [0,1) from (seed, tag, key): same inputs, same number, on any server. */
  r(tag: string, key: string): string {
    return `((hashtextextended(${q(tag + ':')} || (${key})::text, ${this.seed}) & 2147483647)::float8 / 2147483648.0)`;
  }
  /** Integer in [lo, hi]. */
  ri(tag: string, key: string, lo: number, hi: number): string {
    return `(${lo} + floor(${this.r(tag, key)} * ${hi - lo + 1})::int)`;
  }
  /** Deterministic uuid of a generated row. */
  id(tag: string, key: string): string {
    // Version 4 and RFC variant nibbles set, so the API's uuid validators accept the ids.
    return `overlay(overlay(md5(${q(`${this.seed}:${tag}:`)} || (${key})::text) placing '4' from 13) placing '8' from 17)::uuid`;
  }

  private async step(table: string, sql: string, params: unknown[] = []): Promise<number> {
    const started = Date.now();
    const res = await this.client.query(sql, params);
    const rows = res.rowCount ?? 0;
    this.progress({ table, rows, ms: Date.now() - started });
    return rows;
  }

  /** Refuses a database with data the generator did not write; clears a previous generation. */
  async guard(): Promise<void> {
    await this.client.query(`CREATE TABLE IF NOT EXISTS county_generator (
      id integer PRIMARY KEY CHECK (id = 1), seed integer NOT NULL, scale numeric NOT NULL, as_of date NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz)`);
    const marker = await this.client.query(`SELECT 1 FROM county_generator`);
    const data = await this.client.query(`SELECT EXISTS (SELECT 1 FROM pupil) OR EXISTS (SELECT 1 FROM school) AS any`);
    if (data.rows[0].any && marker.rowCount === 0) {
      throw new CountyGeneratorRefused(
        'This database holds pupils or schools the county generator did not write (no county_generator marker): refusing to touch it.',
      );
    }
    if (marker.rowCount) {
      await this.client.query(`TRUNCATE ${GENERATED_TABLES.join(', ')} CASCADE`);
      await this.client.query(`DELETE FROM county_generator`);
    }
    await this.client.query(`INSERT INTO county_generator (id, seed, scale, as_of) VALUES (1, $1, $2, $3)`, [
      this.seed,
      this.opts.scale,
      this.opts.asOf,
    ]);
  }

  async run(): Promise<void> {
    const { scale, asOf } = this.opts;
    const L = Math.max(1, Math.round(53 * scale));
    const S = Math.max(L, Math.round(600 * scale));
    const P = Math.max(10, Math.round(55000 * scale));
    const R = Math.max(10, Math.round(90000 * scale));
    const A = Math.max(5, Math.round(12000 * scale));
    const D = `$1::date`; // as of
    const p = [asOf];
    const c = this.client;

    await c.query(`SET synchronous_commit = off`);
    await this.guard();
    await c.query('BEGIN');
    // Secondary indexes are built once at the end (much faster than row by row); constraint
    // indexes (primary keys, unique constraints) stay. Inside the transaction: a failure restores them.
    const { rows: indexes } = await c.query(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
         AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
      [GENERATED_TABLES],
    );
    for (const ix of indexes) await c.query(`DROP INDEX "${ix.indexname}"`);

    // ---- Reference data -----------------------------------------------------------------
    const locRows = Array.from({ length: L }, (_, n) => {
      const d = DISTRICTS[n % 12];
      const copy = Math.floor(n / 53);
      const num = Math.floor((n % 53) / 12) + 1;
      const code = `${copy ? `C${copy + 1}-` : ''}${d.code}-${String(num).padStart(2, '0')}`;
      const suffix = copy ? ` (county ${copy + 1})` : '';
      return `(${n}, ${this.id('l', String(n))}, ${q(code)}, ${q(`${d.district} ${num}${suffix}`)}, ${q(d.area + suffix)}, ${q(d.district + suffix)})`;
    });
    await c.query(`CREATE TEMP TABLE cg_locality (n int PRIMARY KEY, id uuid, code text, name text, area text, district text) ON COMMIT DROP`);
    await c.query(`INSERT INTO cg_locality VALUES ${locRows.join(',')}`);
    await this.step('locality', `INSERT INTO locality (id, code, name, area, district) SELECT id, code, name, area, district FROM cg_locality`);

    const orgs = [...DEMO_ORGANISATIONS, { name: SOCIAL_CARE_ORG, kind: 'KCC_SERVICE' as const }];
    await c.query(`CREATE TEMP TABLE cg_org (name text PRIMARY KEY, id uuid) ON COMMIT DROP`);
    await c.query(`INSERT INTO cg_org VALUES ${orgs.map((o) => `(${q(o.name)}, ${this.id('o', q(o.name))})`).join(',')}`);
    await this.step(
      'organisation',
      `INSERT INTO organisation (id, name, kind) VALUES ${orgs.map((o) => `(${this.id('o', q(o.name))}, ${q(o.name)}, ${q(o.kind)})`).join(',')}`,
    );
    await this.step(
      'service',
      `INSERT INTO service (code, name, organisation_id, unit, delivery_start_weeks) VALUES ${DEMO_SERVICES.map(
        (s) => `(${q(s.code)}, ${q(s.name)}, ${this.id('o', q(s.organisation))}, ${q(s.unit)}, ${s.deliveryStartWeeks ?? 'NULL'})`,
      ).join(',')}`,
    );
    await c.query(`CREATE TEMP TABLE cg_service ON COMMIT DROP AS
      SELECT s.code, s.organisation_id, s.unit, coalesce(s.delivery_start_weeks, 6) AS start_weeks FROM service s`);

    // Schools: the real Kent ones first, synthetic ones only to reach 600 x scale.
    const kent = readKentSchools();
    await c.query(`CREATE TEMP TABLE cg_school (n int PRIMARY KEY, id uuid, urn text, name text, phase text, kind text, locality_n int) ON COMMIT DROP`);
    const real = kent.slice(0, S);
    for (let i = 0; i < real.length; i += 500) {
      const chunk = real.slice(i, i + 500).map((s, j) => {
        const n = i + j;
        return `(${n}, ${this.id('s', String(n))}, ${q(s.urn)}, ${q(s.name)}, ${q(s.phase)}, ${q(s.kind)}, ${n % L})`;
      });
      await c.query(`INSERT INTO cg_school VALUES ${chunk.join(',')}`);
    }
    await c.query(
      `INSERT INTO cg_school
       SELECT n, ${this.id('s', 'n')}, (900000 + n)::text,
              'Synthetic ' || (ARRAY['Oak', 'Ash', 'Beech', 'Willow', 'Hazel', 'Rowan', 'Elm', 'Birch'])[1 + n % 8] || ' '
                || CASE WHEN n % 7 = 0 THEN 'Academy' WHEN n % 25 = 1 THEN 'Special School' ELSE 'Primary School' END || ' ' || n,
              CASE WHEN n % 7 = 0 THEN 'SECONDARY' ELSE 'PRIMARY' END,
              CASE WHEN n % 25 = 1 THEN 'SPECIAL' ELSE 'MAINSTREAM' END, n % ${L}
       FROM generate_series(${real.length}, ${S - 1}) n`,
    );
    await this.step(
      'school',
      `INSERT INTO school (id, urn, name, phase, kind, locality_id)
       SELECT s.id, s.urn, s.name, s.phase, s.kind, l.id FROM cg_school s JOIN cg_locality l ON l.n = s.locality_n`,
    );

    // ---- Pupils ---------------------------------------------------------------------------
    const fn = `(ARRAY[${FIRST_NAMES.map(q).join(',')}])`;
    const ln = `(ARRAY[${LAST_NAMES.map(q).join(',')}])`;
    const status = `CASE WHEN ${this.r('st', 'i')} < 0.36 THEN 'E' ELSE 'K' END`;
    await c.query(
      `CREATE TEMP TABLE cg_pupil ON COMMIT DROP AS
       WITH b AS (
         SELECT i, ${status} AS sen, ${this.ri('sc', 'i', 0, S - 1)} AS school_n,
                ${this.r('nd', 'i')} AS rn, ${this.r('n2', 'i')} AS rn2
         FROM generate_series(1, ${P}) i)
       SELECT b.i AS n, ${this.id('p', 'b.i')} AS id, b.sen, b.school_n, s.id AS school_id, s.locality_n, l.id AS locality_id, s.phase,
              CASE WHEN b.sen = 'E' THEN ${pick('b.rn', NEEDS_E)} ELSE ${pick('b.rn', NEEDS_K)} END AS need,
              b.rn2,
              row_number() OVER (PARTITION BY b.sen ORDER BY b.i) AS rank_in_status
       FROM b JOIN cg_school s ON s.n = b.school_n JOIN cg_locality l ON l.n = s.locality_n`,
      [],
    );
    await c.query(`CREATE INDEX ON cg_pupil (n)`);
    await c.query(`CREATE INDEX ON cg_pupil (sen, rank_in_status)`);
    await c.query(`ANALYZE cg_pupil`);
    const allNeeds = NEEDS_E.map(([n]) => n);
    await this.step(
      'pupil',
      `INSERT INTO pupil (id, upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need, secondary_need, created_at)
       SELECT x.id, ${upnSql(`('886' || lpad(x.n::text, 9, '0'))`)}, x.f, x.l, lower(x.f), lower(x.l),
              ${D} - (CASE WHEN x.phase = 'SECONDARY' THEN 11 * 365 + ${this.ri('ag', 'x.n', 0, 5 * 365 - 1)}
                           ELSE 4 * 365 + ${this.ri('ag', 'x.n', 0, 7 * 365 - 1)} END),
              x.school_id, x.sen, x.need,
              CASE WHEN x.need <> 'NSA' AND x.rn2 < 0.3 THEN
                (SELECT n FROM unnest(ARRAY[${allNeeds.map(q).join(',')}]) WITH ORDINALITY u(n, o)
                 WHERE n <> x.need ORDER BY o OFFSET floor(x.rn2 * 36)::int % 11 LIMIT 1) END,
              (${D} - 1200)::timestamptz
       FROM (SELECT cp.*, ${fn}[1 + floor(${this.r('fn', 'cp.n')} * ${FIRST_NAMES.length})::int] AS f,
                    ${ln}[1 + floor(${this.r('ln', 'cp.n')} * ${LAST_NAMES.length})::int] AS l FROM cg_pupil cp) x`,
      p,
    );

    // ---- SEN support cycles (K pupils): 1-9 termly cycles, the last one open ------------------
    await c.query(
      `CREATE TEMP TABLE cg_plan ON COMMIT DROP AS
       SELECT cp.n AS pupil_n, cp.id AS pupil_id, cp.school_id, cp.locality_id, j, cyc.k,
              ${this.id('sp', "cp.n || ':' || j")} AS id,
              st AS start_on, st + 84 + ${this.ri('rv', "cp.n || ':' || j", 0, 3)} * 7 AS review_on,
              CASE WHEN j < cyc.k THEN st + 84 + ${this.ri('rv', "cp.n || ':' || j", 0, 3)} * 7
                + CASE WHEN ${this.r('rl', "cp.n || ':' || j")} < 0.75 THEN -${this.ri('re', "cp.n || ':' || j", 0, 7)}
                       ELSE ${this.ri('re', "cp.n || ':' || j", 1, 14)} END END AS reviewed_on
       FROM cg_pupil cp
       CROSS JOIN LATERAL (SELECT ${this.ri('nc', 'cp.n', 1, 9)} AS k) cyc
       CROSS JOIN LATERAL generate_series(1, cyc.k) j
       CROSS JOIN LATERAL (SELECT ${D} - (cyc.k - 1) * 120 - ${this.ri('b', 'cp.n', 0, 99)} + (j - 1) * 120 AS st) s
       WHERE cp.sen = 'K'`,
      p,
    );
    await this.step(
      'support_plan',
      `INSERT INTO support_plan (id, pupil_id, school_id, outcomes, provision, start_on, review_on, status, reviewed_on, created_at)
       SELECT id, pupil_id, school_id,
              '[{"description":"Makes expected progress in reading this term"},{"description":"Uses agreed strategies to stay on task"}]'::jsonb,
              '[{"description":"Small-group intervention","frequency":"3 x 20 minutes a week","by":"Teaching assistant"}]'::jsonb,
              start_on, review_on, CASE WHEN reviewed_on IS NULL THEN 'OPEN' ELSE 'REVIEWED' END, reviewed_on, start_on::timestamptz
       FROM cg_plan`,
    );
    await this.step(
      'support_plan_review',
      `INSERT INTO support_plan_review (id, support_plan_id, reviewed_on, outcomes, next_step, created_at)
       SELECT ${this.id('spr', "pupil_n || ':' || j")}, id, reviewed_on,
              '[{"outcomeIndex":0,"progress":"PARTLY"},{"outcomeIndex":1,"progress":"ACHIEVED"}]'::jsonb,
              ${pick(this.r('ns', "pupil_n || ':' || j"), [['CONTINUE', 50], ['NEW_CYCLE', 30], ['REQUEST_LOCALITY_SUPPORT', 15], ['REQUEST_EHC_ASSESSMENT', 5]])},
              reviewed_on::timestamptz
       FROM cg_plan WHERE reviewed_on IS NOT NULL`,
    );
    await this.step(
      'deadline SUPPORT_PLAN_REVIEW',
      `INSERT INTO deadline (id, kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on)
       SELECT ${this.id('d-spr', "pupil_n || ':' || j")}, 'SUPPORT_PLAN_REVIEW', 'SUPPORT_PLAN', id, pupil_id, school_id, locality_id,
              start_on, review_on, reviewed_on
       FROM cg_plan`,
    );

    // ---- Support requests, panel meetings, decisions ----------------------------------------
    // Panels meet fortnightly: locality n's meetings fall on anchor + 14m.
    const anchor = `('2020-01-06'::date + (cr.locality_n % 14))`;
    await c.query(
      `CREATE TEMP TABLE cg_request ON COMMIT DROP AS
       WITH b AS (
         SELECT r, cp.n AS pupil_n, cp.id AS pupil_id, cp.school_id, cp.locality_id, cp.locality_n,
                ${pick(this.r('sv', 'r'), SERVICE_MIX)} AS service_code,
                ${D} - ${this.ri('sub', 'r', 0, 1094)} AS submitted_on,
                ${this.r('fate', 'r')} AS fate, ${this.r('def', 'r')} AS def, ${this.r('ex', 'r')} AS ex, ${this.r('un', 'r')} AS un
         FROM generate_series(1, ${R}) r
         JOIN cg_pupil cp ON cp.n = ${this.ri('rp', 'r', 1, P)}),
       m AS (
         SELECT cr.*, ${anchor} AS anchor,
                ceil(((cr.submitted_on + 7) - ${anchor})::numeric / 14)::int AS m0,
                CASE WHEN cr.ex < 0.7 THEN 0 WHEN cr.ex < 0.9 THEN 1 ELSE 2 + floor(cr.ex * 100)::int % 2 END AS extra
         FROM b cr)
       SELECT m.*, s.unit, s.organisation_id, s.start_weeks,
              ${this.id('sr', 'm.r')} AS id,
              CASE WHEN m.def < 0.1 THEN m.anchor + 14 * m.m0 END AS deferred_on,
              CASE WHEN m.def < 0.1 THEN m.m0 END AS deferred_m,
              m.m0 + m.extra + CASE WHEN m.def < 0.1 THEN 1 ELSE 0 END AS final_m,
              m.anchor + 14 * (m.m0 + m.extra + CASE WHEN m.def < 0.1 THEN 1 ELSE 0 END) AS decided_on,
              CASE WHEN m.fate < 0.04 THEN m.submitted_on + 1 + floor(m.ex * 20)::int END AS withdrawn_on,
              CASE WHEN m.fate < 0.04 THEN 'WITHDRAWN' WHEN m.fate < 0.59 THEN 'APPROVED' WHEN m.fate < 0.78 THEN 'PARTIAL' ELSE 'DECLINED' END AS outcome,
              (CASE s.unit WHEN 'HOURS' THEN 6 + floor(m.un * 25) WHEN 'SESSIONS' THEN 4 + floor(m.un * 9)
                           WHEN 'GBP' THEN 2000 + floor(m.un * 100) * 100 ELSE 1 END)::numeric(10, 2) AS units_requested,
              (m.r % 40 = 0 AND ${D} - m.submitted_on < 30) AS draft
       FROM m JOIN cg_service s ON s.code = m.service_code`,
      p,
    );
    await c.query(`ALTER TABLE cg_request ADD COLUMN status text`);
    await c.query(
      `UPDATE cg_request SET status = CASE
         WHEN draft THEN 'DRAFT'
         WHEN outcome = 'WITHDRAWN' AND withdrawn_on <= ${D} THEN 'WITHDRAWN'
         WHEN outcome = 'WITHDRAWN' THEN 'SUBMITTED'
         WHEN decided_on <= ${D} THEN CASE outcome WHEN 'PARTIAL' THEN 'PARTIALLY_APPROVED' ELSE outcome END
         WHEN deferred_on <= ${D} THEN 'DEFERRED'
         ELSE 'SUBMITTED' END`,
      p,
    );
    await c.query(`CREATE INDEX ON cg_request (r)`);
    await c.query(`ANALYZE cg_request`);
    await this.step(
      'panel_meeting',
      `INSERT INTO panel_meeting (id, locality_id, meeting_on, chair, attendees, created_at)
       SELECT ${this.id('pm', "l.n || ':' || mm")}, l.id, ('2020-01-06'::date + (l.n % 14)) + 14 * mm, 'Panel chair, ' || l.name,
              '["Head teacher", "STLS lead", "SENCO representative"]'::jsonb, (('2020-01-06'::date + (l.n % 14)) + 14 * mm)::timestamptz
       FROM cg_locality l
       CROSS JOIN LATERAL generate_series(
         ((${D} - 1100) - ('2020-01-06'::date + (l.n % 14))) / 14,
         (${D} - ('2020-01-06'::date + (l.n % 14))) / 14) mm`,
      p,
    );
    await this.step(
      'support_request',
      `INSERT INTO support_request (id, pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status,
                                    submitted_on, withdrawn_on, withdraw_reason, created_at, updated_at)
       SELECT id, pupil_id, school_id, locality_id, service_code, 'Generated request: needs beyond what the school can provide',
              CASE WHEN r % 10 = 0 THEN 'URGENT' ELSE 'ROUTINE' END, units_requested, status,
              CASE WHEN status <> 'DRAFT' THEN submitted_on END,
              CASE WHEN status = 'WITHDRAWN' THEN withdrawn_on END,
              CASE WHEN status = 'WITHDRAWN' THEN 'Needs met within school' END,
              submitted_on::timestamptz + make_interval(secs => r % 36000), submitted_on::timestamptz
       FROM cg_request`,
    );

    // Allocations: one per approval, from the locality's pool for the service and academic year.
    await c.query(
      `CREATE TEMP TABLE cg_alloc ON COMMIT DROP AS
       SELECT cr.r, cr.id AS request_id, cr.pupil_id, cr.school_id, cr.locality_id, cr.locality_n, cr.service_code, cr.organisation_id,
              cr.start_weeks, cr.final_m, ${this.id('al', 'cr.r')} AS id,
              ${this.id('rp', "cr.locality_n || ':' || cr.service_code || ':' || (extract(year FROM cr.decided_on - interval '8 months')::int)")} AS pool_id,
              CASE WHEN cr.outcome = 'PARTIAL' THEN greatest(1, round(cr.units_requested * 0.6)) ELSE cr.units_requested END::numeric(12, 2) AS units,
              cr.decided_on AS offered_on,
              CASE WHEN ${this.r('can', 'cr.r')} < 0.02 THEN cr.decided_on + 3 + cr.r % 8 END AS cancel_on,
              cr.decided_on + CASE WHEN ${this.r('acc', 'cr.r')} < 0.8 THEN ${this.ri('ad', 'cr.r', 1, 14)} ELSE ${this.ri('ad', 'cr.r', 15, 35)} END AS accept_on,
              ${this.ri('fs', 'cr.r', 7, 70)} AS first_gap,
              CASE cr.unit WHEN 'HOURS' THEN least(12, ceil(CASE WHEN cr.outcome = 'PARTIAL' THEN greatest(1, round(cr.units_requested * 0.6)) ELSE cr.units_requested END / 2))::int
                           WHEN 'SESSIONS' THEN (CASE WHEN cr.outcome = 'PARTIAL' THEN greatest(1, round(cr.units_requested * 0.6)) ELSE cr.units_requested END)::int
                           ELSE 1 END AS sessions
       FROM cg_request cr WHERE cr.status IN ('APPROVED', 'PARTIALLY_APPROVED')`,
    );
    await c.query(
      `ALTER TABLE cg_alloc ADD COLUMN accepted_on date, ADD COLUMN first_session_on date, ADD COLUMN last_session_on date,
                            ADD COLUMN cancelled_on date, ADD COLUMN completed_on date, ADD COLUMN status text`,
    );
    await c.query(
      `UPDATE cg_alloc SET
         cancelled_on = CASE WHEN cancel_on <= ${D} THEN cancel_on END,
         accepted_on = CASE WHEN cancel_on IS NULL AND accept_on <= ${D} THEN accept_on END,
         first_session_on = CASE WHEN cancel_on IS NULL AND accept_on + first_gap <= ${D} THEN accept_on + first_gap END,
         last_session_on = CASE WHEN cancel_on IS NULL AND accept_on + first_gap <= ${D}
                                THEN least(${D}, accept_on + first_gap + 7 * (sessions - 1)) END,
         completed_on = CASE WHEN cancel_on IS NULL AND accept_on + first_gap + 7 * (sessions - 1) + 7 <= ${D}
                             THEN accept_on + first_gap + 7 * (sessions - 1) + 7 END`,
      p,
    );
    await c.query(
      `UPDATE cg_alloc SET status = CASE
         WHEN cancel_on IS NOT NULL AND cancel_on <= ${D} THEN 'CANCELLED'
         WHEN completed_on IS NOT NULL THEN 'COMPLETED'
         WHEN first_session_on IS NOT NULL THEN 'IN_DELIVERY'
         WHEN accepted_on IS NOT NULL THEN 'ACCEPTED'
         ELSE 'OFFERED' END`,
      p,
    );
    // Drop a cancellation still in the future: that allocation is simply on offer or running.
    await c.query(`UPDATE cg_alloc SET cancel_on = NULL WHERE cancelled_on IS NULL AND cancel_on IS NOT NULL`);
    await c.query(
      `UPDATE cg_alloc SET
         accepted_on = CASE WHEN accept_on <= ${D} THEN accept_on END,
         first_session_on = CASE WHEN accept_on + first_gap <= ${D} THEN accept_on + first_gap END,
         last_session_on = CASE WHEN accept_on + first_gap <= ${D} THEN least(${D}, accept_on + first_gap + 7 * (sessions - 1)) END,
         completed_on = CASE WHEN accept_on + first_gap + 7 * sessions <= ${D} THEN accept_on + first_gap + 7 * sessions END,
         status = CASE WHEN accept_on + first_gap + 7 * sessions <= ${D} THEN 'COMPLETED'
                       WHEN accept_on + first_gap <= ${D} THEN 'IN_DELIVERY'
                       WHEN accept_on <= ${D} THEN 'ACCEPTED' ELSE 'OFFERED' END
       WHERE status <> 'CANCELLED' AND cancel_on IS NULL AND accepted_on IS NULL AND accept_on <= ${D}`,
      p,
    );

    // Pools: every locality x service x academic year of the window, capacity set from the ledger below.
    const firstYear = `extract(year FROM ${D} - 1100 - interval '8 months')::int`;
    const lastYear = `extract(year FROM ${D} - interval '8 months')::int`;
    await this.step(
      'resource_pool',
      `INSERT INTO resource_pool (id, locality_id, service_code, period_start, period_end, capacity_units, allocated_units, created_at)
       SELECT ${this.id('rp', "l.n || ':' || s.code || ':' || y")}, l.id, s.code, make_date(y, 9, 1), make_date(y + 1, 8, 31),
              9999999999, 0, make_date(y, 8, 1)::timestamptz
       FROM cg_locality l CROSS JOIN cg_service s CROSS JOIN generate_series(${firstYear}, ${lastYear}) y`,
      p,
    );
    await this.step(
      'allocation',
      `INSERT INTO allocation (id, request_id, pupil_id, school_id, locality_id, pool_id, organisation_id, service_code, units, status,
                               offered_on, accepted_on, first_session_on, completed_on, outcome, outcome_summary, cancelled_on, cancel_reason,
                               created_at, updated_at)
       SELECT id, request_id, pupil_id, school_id, locality_id, pool_id, organisation_id, service_code, units, status,
              offered_on, accepted_on, first_session_on, completed_on,
              CASE WHEN status = 'COMPLETED' THEN ${pick(this.r('oc', 'r'), [['NEED_MET', 55], ['PARTLY_MET', 30], ['NOT_MET', 8], ['REFERRED_ON', 7]])} END,
              CASE WHEN status = 'COMPLETED' THEN 'Generated outcome summary' END,
              cancelled_on, CASE WHEN status = 'CANCELLED' THEN 'Pupil left the school' END,
              offered_on::timestamptz + make_interval(secs => r % 36000), offered_on::timestamptz
       FROM cg_alloc`,
    );
    await this.step(
      'support_request_decision',
      `INSERT INTO support_request_decision (id, request_id, outcome, decided_on, meeting_id, units_approved, pool_id, organisation_id, allocation_id, reason, created_at)
       SELECT ${this.id('dd', 'cr.r')}, cr.id, 'DEFERRED', cr.deferred_on, ${this.id('pm', "cr.locality_n || ':' || cr.deferred_m")},
              NULL, NULL, NULL, NULL, 'More information needed from the school', cr.deferred_on::timestamptz + interval '10 hours'
       FROM cg_request cr WHERE cr.deferred_on <= ${D} AND cr.status <> 'DRAFT' AND (cr.withdrawn_on IS NULL OR cr.status <> 'WITHDRAWN')
         AND cr.outcome <> 'WITHDRAWN'
       UNION ALL
       SELECT ${this.id('df', 'cr.r')}, cr.id, cr.outcome, cr.decided_on, ${this.id('pm', "cr.locality_n || ':' || cr.final_m")},
              a.units, a.pool_id, a.organisation_id, a.id, 'Generated panel decision', cr.decided_on::timestamptz + interval '11 hours'
       FROM cg_request cr LEFT JOIN cg_alloc a ON a.r = cr.r
       WHERE cr.status IN ('APPROVED', 'PARTIALLY_APPROVED', 'DECLINED')`,
      p,
    );
    await this.step(
      'allocation_session',
      `INSERT INTO allocation_session (id, allocation_id, delivered_on, duration_minutes, attended, absence_reason, units_used, created_at)
       SELECT ${this.id('as', "a.r || ':' || k")}, a.id, a.first_session_on + 7 * k,
              CASE a.service_code WHEN 'STLS' THEN 120 WHEN 'EP' THEN 90 ELSE 45 END,
              at.attended,
              CASE WHEN NOT at.attended THEN ${pick(this.r('ab', "a.r || ':' || k"), [['DID_NOT_ATTEND', 50], ['CANCELLED_BY_SCHOOL', 25], ['CANCELLED_BY_PROVIDER', 25]])} END,
              CASE WHEN at.attended THEN trunc(a.units / a.sessions, 2) ELSE 0 END,
              (a.first_session_on + 7 * k)::timestamptz + interval '15 hours'
       FROM cg_alloc a
       CROSS JOIN LATERAL generate_series(0, a.sessions - 1) k
       CROSS JOIN LATERAL (SELECT ${this.r('att', "a.r || ':' || k")} < 0.88 AS attended) at
       WHERE a.first_session_on IS NOT NULL AND a.first_session_on + 7 * k <= ${D}`,
      p,
    );
    await this.step(
      'allocation units_used',
      `UPDATE allocation al SET units_used = s.used
       FROM (SELECT allocation_id, sum(units_used) AS used FROM allocation_session GROUP BY allocation_id) s
       WHERE al.id = s.allocation_id`,
    );
    // The ledger, exactly: allocated = sum of holding allocations; capacity a little above (room left this year).
    await this.step(
      'resource_pool ledger',
      `UPDATE resource_pool rp SET allocated_units = coalesce(s.held, 0),
              capacity_units = CASE WHEN rp.period_end >= ${D} THEN ceil(coalesce(s.held, 0) * 1.6) + 50
                                    ELSE greatest(ceil(coalesce(s.held, 0) * (1.03 + ${this.r('cap', 'rp.id')} * 0.25)), 10) END
       FROM resource_pool r0 LEFT JOIN (
         SELECT pool_id, sum(units) AS held FROM allocation WHERE status NOT IN ('DECLINED', 'CANCELLED') GROUP BY pool_id) s
         ON s.pool_id = r0.id
       WHERE rp.id = r0.id`,
      p,
    );
    await this.step(
      'deadline REQUEST_DECISION',
      `INSERT INTO deadline (id, kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on, cancelled_on)
       SELECT ${this.id('d-rd', 'r')}, 'REQUEST_DECISION', 'SUPPORT_REQUEST', id, pupil_id, school_id, locality_id, submitted_on, submitted_on + 28,
              CASE WHEN status IN ('APPROVED', 'PARTIALLY_APPROVED', 'DECLINED') THEN decided_on END,
              CASE WHEN status = 'WITHDRAWN' THEN withdrawn_on END
       FROM cg_request WHERE status <> 'DRAFT'`,
    );
    await this.step(
      'deadline ALLOCATION_*',
      `INSERT INTO deadline (id, kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on, cancelled_on)
       SELECT ${this.id('d-aa', 'r')}, 'ALLOCATION_ACCEPTANCE', 'ALLOCATION', id, pupil_id, school_id, locality_id, organisation_id,
              offered_on, offered_on + 14, accepted_on, CASE WHEN accepted_on IS NULL THEN cancelled_on END
       FROM cg_alloc
       UNION ALL
       SELECT ${this.id('d-ds', 'r')}, 'DELIVERY_START', 'ALLOCATION', id, pupil_id, school_id, locality_id, organisation_id,
              accepted_on, accepted_on + 7 * start_weeks, first_session_on, CASE WHEN first_session_on IS NULL THEN cancelled_on END
       FROM cg_alloc WHERE accepted_on IS NOT NULL`,
    );

    // ---- EHC needs assessments ------------------------------------------------------------
    await c.query(
      `CREATE TEMP TABLE cg_ehc ON COMMIT DROP AS
       WITH b AS (
         SELECT a, ${D} - ${this.ri('rec', 'a', 0, 1094)} AS received,
                ${this.r('of', 'a')} AS fate, ${this.r('ot', 'a')} AS ontime, ${this.r('dt', 'a')} AS dta_fast
         FROM generate_series(1, ${A}) a),
       f AS (
         SELECT b.*,
                CASE WHEN fate < 0.04 THEN 'WITHDRAWN' WHEN fate < 0.28 THEN 'NOT_ASSESSED' WHEN fate < 0.34 THEN 'NOT_ISSUED' ELSE 'ISSUED' END AS fated,
                received + CASE WHEN dta_fast < 0.8 THEN ${this.ri('d1', 'a', 21, 42)} ELSE ${this.ri('d1', 'a', 43, 90)} END AS dta_at,
                received + CASE WHEN ontime < 0.25 THEN ${this.ri('d2', 'a', 84, 112)} ELSE ${this.ri('d2', 'a', 100, 200)} END AS issue_at,
                received + ${this.ri('wd', 'a', 10, 120)} AS withdrawn_at
         FROM b),
       g AS (
         SELECT f.*, greatest(issue_at, dta_at) + CASE WHEN ontime < 0.25 THEN ${this.ri('d3', 'a', 14, 28)} ELSE ${this.ri('d3', 'a', 21, 70)} END AS final_at
         FROM f)
       SELECT g.*, ${this.id('ea', 'g.a')} AS id,
              CASE
                WHEN fated = 'WITHDRAWN' THEN CASE WHEN withdrawn_at <= ${D} THEN 'WITHDRAWN' ELSE 'REQUESTED' END
                WHEN dta_at > ${D} THEN 'REQUESTED'
                WHEN fated = 'NOT_ASSESSED' THEN 'NOT_ASSESSED'
                WHEN greatest(issue_at, dta_at) > ${D} THEN 'ASSESSING'
                WHEN fated = 'NOT_ISSUED' THEN 'NOT_ISSUED'
                WHEN final_at > ${D} THEN 'DRAFT_ISSUED'
                ELSE 'PLAN_ISSUED' END AS stage
       FROM g`,
      p,
    );
    await c.query(`ALTER TABLE cg_ehc ADD COLUMN pupil_n int, ADD COLUMN pupil_id uuid, ADD COLUMN school_id uuid, ADD COLUMN locality_id uuid`);
    // A plan goes to an EHC pupil; every other case to a distinct SEN-support pupil (one open case each).
    await c.query(
      `UPDATE cg_ehc e SET pupil_n = cp.n, pupil_id = cp.id, school_id = cp.school_id, locality_id = cp.locality_id
       FROM (SELECT a, CASE WHEN stage = 'PLAN_ISSUED' THEN 'E' ELSE 'K' END AS sen,
                    row_number() OVER (PARTITION BY stage = 'PLAN_ISSUED' ORDER BY a) AS rk FROM cg_ehc) x
       JOIN (SELECT sen, count(*) AS c FROM cg_pupil GROUP BY sen) cnt ON cnt.sen = x.sen
       JOIN cg_pupil cp ON cp.sen = x.sen AND cp.rank_in_status = 1 + (x.rk - 1) % cnt.c
       WHERE e.a = x.a`,
    );
    await this.step(
      'ehc_assessment',
      `INSERT INTO ehc_assessment (id, pupil_id, request_received_on, requested_by, stage, decision_to_assess, decision_to_assess_on,
                                   issue_decision, issue_decision_on, final_plan_issued_on, withdrawn_on, withdraw_reason, created_at, updated_at)
       SELECT id, pupil_id, received, ${pick(this.r('rb', 'a'), [['PARENT', 55], ['SCHOOL', 38], ['YOUNG_PERSON', 3], ['OTHER', 4]])}, stage,
              CASE WHEN stage IN ('NOT_ASSESSED') THEN false WHEN stage IN ('ASSESSING', 'NOT_ISSUED', 'DRAFT_ISSUED', 'PLAN_ISSUED') THEN true END,
              CASE WHEN stage IN ('NOT_ASSESSED', 'ASSESSING', 'NOT_ISSUED', 'DRAFT_ISSUED', 'PLAN_ISSUED') THEN dta_at END,
              CASE WHEN stage = 'NOT_ISSUED' THEN false WHEN stage IN ('DRAFT_ISSUED', 'PLAN_ISSUED') THEN true END,
              CASE WHEN stage IN ('NOT_ISSUED', 'DRAFT_ISSUED', 'PLAN_ISSUED') THEN greatest(issue_at, dta_at) END,
              CASE WHEN stage = 'PLAN_ISSUED' THEN final_at END,
              CASE WHEN stage = 'WITHDRAWN' THEN withdrawn_at END,
              CASE WHEN stage = 'WITHDRAWN' THEN 'Family withdrew the request' END,
              received::timestamptz + make_interval(secs => a % 36000), received::timestamptz
       FROM cg_ehc`,
    );
    // When the case closed without a plan: later deadlines are cancelled on that day.
    const closedOn = `CASE stage WHEN 'WITHDRAWN' THEN withdrawn_at WHEN 'NOT_ASSESSED' THEN dta_at WHEN 'NOT_ISSUED' THEN greatest(issue_at, dta_at) END`;
    await this.step(
      'deadline EHC_*',
      `INSERT INTO deadline (id, kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on, cancelled_on,
                             excepted, exception_reason)
       SELECT ${this.id('d-dta', 'a')}, 'EHC_DECISION_TO_ASSESS', 'EHC_ASSESSMENT', id, pupil_id, school_id, locality_id, received, received + 42,
              CASE WHEN stage NOT IN ('REQUESTED', 'WITHDRAWN') THEN dta_at END, CASE WHEN stage = 'WITHDRAWN' THEN withdrawn_at END, false, NULL
       FROM cg_ehc
       UNION ALL
       SELECT ${this.id('d-iss', 'a')}, 'EHC_ISSUE_DECISION', 'EHC_ASSESSMENT', id, pupil_id, school_id, locality_id, received, received + 112,
              CASE WHEN stage IN ('NOT_ISSUED', 'DRAFT_ISSUED', 'PLAN_ISSUED') THEN greatest(issue_at, dta_at) END,
              CASE WHEN stage IN ('WITHDRAWN', 'NOT_ASSESSED') THEN ${closedOn} END, false, NULL
       FROM cg_ehc
       UNION ALL
       SELECT ${this.id('d-fin', 'a')}, 'EHC_FINAL_PLAN', 'EHC_ASSESSMENT', id, pupil_id, school_id, locality_id, received, received + 140,
              CASE WHEN stage = 'PLAN_ISSUED' THEN final_at END,
              CASE WHEN stage IN ('WITHDRAWN', 'NOT_ASSESSED', 'NOT_ISSUED') THEN ${closedOn} END,
              a % 25 = 3 AND stage NOT IN ('WITHDRAWN', 'NOT_ASSESSED'), CASE WHEN a % 25 = 3 AND stage NOT IN ('WITHDRAWN', 'NOT_ASSESSED') THEN 'PERSONAL_CIRCUMSTANCES' END
       FROM cg_ehc`,
    );
    await this.step(
      'ehc_exception',
      `INSERT INTO ehc_exception (id, assessment_id, reason, from_on, to_on, created_at)
       SELECT ${this.id('ex', 'a')}, id, 'PERSONAL_CIRCUMSTANCES', received + 30, received + 30 + ${this.ri('exl', 'a', 7, 42)}, (received + 30)::timestamptz
       FROM cg_ehc WHERE a % 25 = 3 AND stage NOT IN ('WITHDRAWN', 'NOT_ASSESSED')`,
    );
    await c.query(
      `CREATE TEMP TABLE cg_advice ON COMMIT DROP AS
       SELECT e.a, t.k, t.advice_type, o.id AS organisation_id, ${this.id('ar', "e.a || ':' || t.k")} AS id, e.id AS assessment_id,
              e.pupil_id, e.school_id, e.locality_id, e.dta_at AS requested_on,
              e.dta_at + CASE WHEN ${this.r('adv', "e.a || ':' || t.k")} < 0.55 THEN ${this.ri('ad2', "e.a || ':' || t.k", 14, 42)}
                              ELSE ${this.ri('ad2', "e.a || ':' || t.k", 43, 100)} END AS back_at,
              CASE WHEN e.stage IN ('NOT_ISSUED', 'DRAFT_ISSUED', 'PLAN_ISSUED') THEN greatest(e.issue_at, e.dta_at) END AS closed_at
       FROM cg_ehc e
       CROSS JOIN (VALUES (1, 'EDUCATIONAL_PSYCHOLOGY', ${q(EP_ORG)}), (2, 'HEALTH', ${q(NHS_ORG)}), (3, 'SOCIAL_CARE', ${q(SOCIAL_CARE_ORG)})) t(k, advice_type, org)
       JOIN cg_org o ON o.name = t.org
       WHERE e.stage IN ('ASSESSING', 'NOT_ISSUED', 'DRAFT_ISSUED', 'PLAN_ISSUED')`,
    );
    await c.query(`ALTER TABLE cg_advice ADD COLUMN received_on date, ADD COLUMN cancelled_on date`);
    await c.query(
      `UPDATE cg_advice SET
         received_on = CASE WHEN back_at <= coalesce(closed_at, ${D}) THEN back_at END,
         cancelled_on = CASE WHEN back_at > coalesce(closed_at, ${D}) AND closed_at IS NOT NULL THEN closed_at END`,
      p,
    );
    await this.step(
      'advice_request',
      `INSERT INTO advice_request (id, assessment_id, pupil_id, advice_type, organisation_id, requested_on, received_on, cancelled_on, created_at)
       SELECT id, assessment_id, pupil_id, advice_type, organisation_id, requested_on, received_on, cancelled_on, requested_on::timestamptz FROM cg_advice`,
    );
    await this.step(
      'deadline EHC_ADVICE',
      `INSERT INTO deadline (id, kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on, cancelled_on)
       SELECT ${this.id('d-adv', "a || ':' || k")}, 'EHC_ADVICE', 'ADVICE_REQUEST', id, pupil_id, school_id, locality_id, organisation_id,
              requested_on, requested_on + 42, received_on, cancelled_on
       FROM cg_advice`,
    );

    // ---- EHC plans: from this window's cases, and older plans for the other EHC pupils --------
    await c.query(
      `CREATE TEMP TABLE cg_ehcplan ON COMMIT DROP AS
       SELECT e.pupil_n, e.pupil_id, e.school_id, e.locality_id, e.id AS assessment_id, e.final_at AS issued_on
       FROM cg_ehc e WHERE e.stage = 'PLAN_ISSUED'
       UNION ALL
       SELECT cp.n, cp.id, cp.school_id, cp.locality_id, NULL, ${D} - ${this.ri('lg', 'cp.n', 200, 3200)}
       FROM cg_pupil cp WHERE cp.sen = 'E' AND NOT EXISTS (SELECT 1 FROM cg_ehc e WHERE e.stage = 'PLAN_ISSUED' AND e.pupil_n = cp.n)`,
      p,
    );
    await c.query(`ALTER TABLE cg_ehcplan ADD COLUMN id uuid`);
    await c.query(`UPDATE cg_ehcplan SET id = ${this.id('ep', 'pupil_n')}`);
    await c.query(
      `UPDATE cg_ehcplan x SET issued_on = greatest(x.issued_on, p.date_of_birth + 400) FROM pupil p WHERE p.id = x.pupil_id AND x.assessment_id IS NULL`,
    );
    await this.step(
      'ehc_plan',
      `INSERT INTO ehc_plan (id, pupil_id, assessment_id, issued_on, setting_school_id, primary_need, secondary_need, created_at)
       SELECT x.id, x.pupil_id, x.assessment_id, x.issued_on, x.school_id, p.primary_need, p.secondary_need, x.issued_on::timestamptz
       FROM cg_ehcplan x JOIN pupil p ON p.id = x.pupil_id`,
    );
    // Annual review cycles k = 1..: meeting k is due 12 months after meeting k-1 (or the issue).
    const delay = (k: string) =>
      `CASE WHEN ${k} = 0 THEN 0 WHEN ${this.r('arl', `x.pupil_n || ':' || ${k}`)} < 0.6 THEN -${this.ri('ard', `x.pupil_n || ':' || ${k}`, 0, 30)}
            ELSE ${this.ri('ard', `x.pupil_n || ':' || ${k}`, 1, 120)} END`;
    await c.query(
      `CREATE TEMP TABLE cg_review ON COMMIT DROP AS
       SELECT x.pupil_n, x.id AS plan_id, x.pupil_id, x.school_id, x.locality_id, k,
              (x.issued_on + make_interval(years => k - 1))::date + ${delay('(k - 1)')} AS starts_on,
              (x.issued_on + make_interval(years => k))::date + ${delay('k')} AS meeting_at,
              ${this.r('dec', "x.pupil_n || ':' || k")} AS dec
       FROM cg_ehcplan x CROSS JOIN generate_series(1, 12) k`,
    );
    await c.query(`DELETE FROM cg_review WHERE starts_on > ${D} OR (starts_on + interval '12 months')::date < ${D} - 1095`, p);
    await c.query(
      `ALTER TABLE cg_review ADD COLUMN id uuid, ADD COLUMN report_on date, ADD COLUMN decided_on date, ADD COLUMN decision text,
                             ADD COLUMN sent_on date, ADD COLUMN amended_on date, ADD COLUMN stage text`,
    );
    await c.query(
      `UPDATE cg_review SET id = ${this.id('rev', "pupil_n || ':' || k")},
         report_on = CASE WHEN meeting_at + 3 + floor(dec * 1000)::int % 22 <= ${D} THEN meeting_at + 3 + floor(dec * 1000)::int % 22 END,
         decided_on = CASE WHEN meeting_at + 25 + floor(dec * 1000)::int % 22 + floor(dec * 100)::int % 20 <= ${D}
                           THEN meeting_at + 25 + floor(dec * 1000)::int % 22 + floor(dec * 100)::int % 20 END,
         decision = CASE WHEN meeting_at + 25 + floor(dec * 1000)::int % 22 + floor(dec * 100)::int % 20 <= ${D}
                         THEN CASE WHEN dec < 0.65 THEN 'MAINTAIN' ELSE 'AMEND' END END
       WHERE meeting_at <= ${D}`,
      p,
    );
    await c.query(
      `UPDATE cg_review SET
         sent_on = CASE WHEN decided_on + 7 <= ${D} THEN decided_on + 7 END,
         amended_on = CASE WHEN decided_on + 7 + 28 + floor(dec * 10000)::int % 70 <= ${D} THEN decided_on + 7 + 28 + floor(dec * 10000)::int % 70 END
       WHERE decision = 'AMEND'`,
      p,
    );
    await c.query(
      `UPDATE cg_review SET stage = CASE
         WHEN decision = 'MAINTAIN' THEN 'MAINTAINED' WHEN amended_on IS NOT NULL THEN 'AMENDED'
         WHEN sent_on IS NOT NULL THEN 'AMENDMENTS_SENT' WHEN decision = 'AMEND' THEN 'AMENDING'
         WHEN report_on IS NOT NULL THEN 'REPORT_SENT' ELSE 'MEETING_HELD' END
       WHERE meeting_at <= ${D}`,
      p,
    );
    await this.step(
      'annual_review',
      `INSERT INTO annual_review (id, plan_id, pupil_id, stage, meeting_on, report_sent_on, decision, decided_on, amendments_sent_on, amended_plan_issued_on, created_at)
       SELECT id, plan_id, pupil_id, stage, meeting_at, report_on, decision, decided_on, sent_on, amended_on, meeting_at::timestamptz
       FROM cg_review WHERE meeting_at <= ${D}`,
      p,
    );
    await this.step(
      'deadline ANNUAL_REVIEW_*',
      `INSERT INTO deadline (id, kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on)
       SELECT ${this.id('d-arm', "pupil_n || ':' || k")}, 'ANNUAL_REVIEW_MEETING', 'EHC_PLAN', plan_id, pupil_id, school_id, locality_id,
              starts_on, (starts_on + interval '12 months')::date, CASE WHEN meeting_at <= ${D} THEN meeting_at END
       FROM cg_review
       UNION ALL
       SELECT ${this.id('d-arr', "pupil_n || ':' || k")}, 'ANNUAL_REVIEW_REPORT', 'ANNUAL_REVIEW', id, pupil_id, school_id, locality_id,
              meeting_at, meeting_at + 14, report_on FROM cg_review WHERE meeting_at <= ${D}
       UNION ALL
       SELECT ${this.id('d-ard', "pupil_n || ':' || k")}, 'ANNUAL_REVIEW_DECISION', 'ANNUAL_REVIEW', id, pupil_id, school_id, locality_id,
              meeting_at, meeting_at + 28, decided_on FROM cg_review WHERE meeting_at <= ${D}
       UNION ALL
       SELECT ${this.id('d-amp', "pupil_n || ':' || k")}, 'AMENDED_PLAN', 'ANNUAL_REVIEW', id, pupil_id, school_id, locality_id,
              sent_on, sent_on + 56, amended_on FROM cg_review WHERE sent_on IS NOT NULL`,
      p,
    );

    const built = Date.now();
    await c.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const ix of indexes) await c.query(ix.indexdef);
    this.progress({ table: `${indexes.length} indexes rebuilt`, rows: 0, ms: Date.now() - built });
    await c.query(`UPDATE county_generator SET finished_at = now()`);
    await c.query('COMMIT');
    const started = Date.now();
    // VACUUM as well as ANALYZE: freshly loaded pages have no visibility map bits, so without it
    // index-only scans fall back to the heap and the first reads of every page write hint bits back.
    await c.query('VACUUM (ANALYZE)');
    this.progress({ table: 'VACUUM (ANALYZE)', rows: 0, ms: Date.now() - started });
  }
}
