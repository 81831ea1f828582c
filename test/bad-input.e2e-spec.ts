import { randomUUID } from 'node:crypto';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { scopeFor } from '../src/access/policy';
import type { Role } from '../src/access/role';
import { listRoutes, type RouteInfo } from '../src/access/route-coverage';
import { PROBLEM_TYPES } from '../src/common/problem/problem-type';
import { nameKey } from '../src/pupils/name-key';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser, type UserScope } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * The bad-input corpus (issue 10, point 1). Every POST and PATCH route the router has (listRoutes,
 * so routes added later are covered without touching this file) gets at least 20 malformed bodies:
 * whole-body garbage (wrong JSON types, truncated JSON, prototype-pollution keys sent as raw text,
 * wrong content types, a body over the limit, deep nesting) and, for each field of the route's DTO
 * (read from its class-validator metadata), values of the wrong kind: wrong types, nulls, empty and
 * 100k-character strings, 1e308, negatives, arrays and objects, impossible dates, invalid UUIDs,
 * SQL and script fragments. The rest of the body is a plausible one with real ids in the caller's
 * scope, and path ids point at real rows, so each bad value reaches as deep as the app lets it.
 * Every answer must be a 4xx problem of a known type, never a 5xx; afterwards every table holds
 * as many rows as before (rate-limit counters aside) and Object.prototype is untouched.
 */

const PROBLEM_URIS = new Set(Object.keys(PROBLEM_TYPES).map((type) => `/problems/${type}`));
/** The roles tried for a route, widest scope first: the first with a grant in the policy table sends. */
const ROLE_ORDER: Role[] = ['ADMIN', 'CASEWORKER', 'MANAGER', 'SENCO', 'PANEL', 'PROVIDER'];
/** Tables whose rows a refused request may legitimately add: sign-in rate-limit counters. */
const VOLATILE_TABLES = new Set(['rate_limit', 'schema_migration']);
/** audit_event actions that record an attempt rather than a change. */
const SECURITY_LOG_ACTIONS = "('auth.login', 'auth.lockout')";

const HUGE = 'A'.repeat(100_000);
const SQL = "x'); DROP TABLE pupil; --";
const SQL_OR = "' OR '1'='1";
const SCRIPT = '<script>alert(document.cookie)</script>';

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'uuid' | 'enum' | 'array' | 'object' | 'unknown';

interface Field {
  name: string;
  kind: Kind;
  required: boolean;
}

interface Case {
  label: string;
  path: string;
  /** A raw body (sent as is) or a value (sent as JSON). */
  raw?: string;
  json?: unknown;
  contentType?: string;
}

interface Outcome {
  route: string;
  label: string;
  status: number;
  type?: string;
  contentType?: string;
}

let t: TestApp;
let n = 0;

/** Field kinds from the DTO's class-validator metadata (constraint names such as isUUID, isInt). */
function fieldsOf(dto: Function): Field[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const byField = new Map<string, { names: Set<string>; optional: boolean; each: boolean }>();
  for (const m of metadata) {
    const entry = byField.get(m.propertyName) ?? { names: new Set<string>(), optional: false, each: false };
    if (m.type === 'conditionalValidation') entry.optional = true;
    if (m.type === 'nestedValidation') entry.names.add('nested');
    if (m.each) entry.each = true;
    const name = (m as { name?: string }).name ?? (m.constraintCls as { name?: string } | undefined)?.name ?? m.type;
    if (name) entry.names.add(name);
    byField.set(m.propertyName, entry);
  }
  return [...byField].map(([name, { names, optional, each }]) => {
    const has = (...keys: string[]) => keys.some((k) => [...names].some((x) => x.toLowerCase() === k.toLowerCase()));
    const kind: Kind = has('isArray', 'arrayNotEmpty', 'arrayMinSize', 'arrayMaxSize') || each
      ? 'array'
      : has('nested', 'isObject')
        ? 'object'
        : has('isCalendarDate', 'isDateString', 'isISO8601', 'isDate')
          ? 'date'
          : has('isUuid')
            ? 'uuid'
            : has('isEnum', 'isIn')
              ? 'enum'
              : has('isInt')
                ? 'integer'
                : has('isNumber', 'isPositive', 'min', 'max', 'isDecimal')
                  ? 'number'
                  : has('isBoolean')
                    ? 'boolean'
                    : has('isString', 'isEmail', 'matches', 'maxLength', 'minLength', 'isNotEmpty', 'length')
                      ? 'string'
                      : 'unknown';
    return { name, kind, required: !optional };
  });
}

/** Values of the wrong kind for a field; at least six per field. */
function badValues(field: Field): [string, unknown][] {
  const common: [string, unknown][] = [
    ['null', null],
    ['an object with an operator', { $ne: null }],
    ['a nested array', [[1, 2], [3]]],
  ];
  switch (field.kind) {
    case 'number':
    case 'integer':
      return [
        ...common,
        ['a numeric string', '12'],
        ['a word', 'twelve'],
        ['1e308', 1e308],
        ['-1e308', -1e308],
        ['a negative number', -1],
        ['a fraction', 0.000001],
        ['a boolean', true],
        ['an array', [1]],
        ['an SQL fragment', SQL_OR],
      ];
    case 'boolean':
      return [...common, ['a string', 'true'], ['a number', 1], ['an array', [true]], ['an SQL fragment', SQL_OR]];
    case 'date':
      return [
        ...common,
        ['2025-02-30', '2025-02-30'],
        ['2025-13-01', '2025-13-01'],
        ['a UK-style date', '30/01/2025'],
        ['a timestamp', '2025-01-01T25:61:00Z'],
        ['year 0', '0000-01-01'],
        ['a number', 20250101],
        ['an empty string', ''],
        ['a huge string', HUGE],
        ['an SQL fragment', SQL],
      ];
    case 'uuid':
      return [
        ...common,
        ['not a UUID', 'not-a-uuid'],
        ['a UUID with a bad digit', '00000000-0000-4000-8000-00000000000g'],
        ['an SQL fragment', SQL_OR],
        ['a script', SCRIPT],
        ['an empty string', ''],
        ['a number', 42],
        ['a huge string', HUGE],
      ];
    case 'enum':
      return [...common, ['an unknown value', 'NOT_A_VALUE'], ['lower case', 'x'], ['a script', SCRIPT], ['an empty string', ''], ['a number', 7], ['a huge string', HUGE]];
    case 'array':
      return [
        ['null', null],
        ['an object', { 0: 'a' }],
        ['a string', 'a'],
        ['a number', 1],
        ['an array of nulls', [null, null]],
        ['an array of numbers', [1, 2]],
        ['an array of strings', ['a']],
        ['an array of huge strings', [HUGE]],
        ['an array of arrays', [[{}]]],
        ['a huge array', Array.from({ length: 20_000 }, () => ({}))],
      ];
    case 'object':
      return [
        ['null', null],
        ['a string', 'a'],
        ['a number', 1],
        ['an array', [{}]],
        ['an object of wrong fields', { unknownField: SQL }],
        ['an object with __proto__', JSON.parse('{"__proto__":{"polluted":"yes"}}')],
      ];
    case 'string':
    case 'unknown':
    default:
      return [
        ...common,
        ['a number', 12345],
        ['a boolean', false],
        ['an array of strings', ['a', 'b']],
        ['an empty string', ''],
        ['only spaces', '   '],
        ['a 100k-character string', HUGE],
        ['1e308', 1e308],
      ];
  }
}

/** A body that would be plausible for the DTO: examples from its OpenAPI metadata, real ids for *Id fields. */
function plausibleBody(dto: Function, fields: Field[], ids: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const meta = Reflect.getMetadata('swagger/apiModelProperties', dto.prototype, field.name) as { example?: unknown } | undefined;
    if (ids[field.name] !== undefined) body[field.name] = ids[field.name];
    else if (meta?.example !== undefined) body[field.name] = meta.example;
    else if (field.required) body[field.name] = field.kind === 'number' || field.kind === 'integer' ? 1 : field.kind === 'boolean' ? true : 'x';
  }
  return body;
}

function rawObject(entries: string): string {
  return `{${entries}}`;
}

describe('bad-input corpus: malformed bodies on every POST and PATCH route', () => {
  const outcomes: Outcome[] = [];
  let routes: RouteInfo[] = [];
  const users = {} as Record<Role, TestUser>;
  const ids: Record<string, string> = {};
  const pathIds: Record<string, string> = {};
  let countsBefore: Record<string, number> = {};

  async function tableCounts(): Promise<Record<string, number>> {
    const tables: { name: string }[] = await t.dataSource.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      if (VOLATILE_TABLES.has(name)) continue;
      // The security log of the attempts (failed sign-ins, lockouts) is the one write a refusal makes.
      const where = name === 'audit_event' ? ` WHERE action NOT IN ${SECURITY_LOG_ACTIONS}` : '';
      counts[name] = Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM "${name}"${where}`))[0].n);
    }
    return counts;
  }

  /** A real row for a path's `:param`: the table named by the segment before it, or a random UUID. */
  async function pathIdFor(segment: string, param: string): Promise<string> {
    if (param === 'kind') return (await t.dataSource.query(`SELECT kind FROM sla_rule ORDER BY kind LIMIT 1`))[0]?.kind ?? 'UNKNOWN_KIND';
    const table = { localities: 'locality', users: 'app_user', services: 'service' }[segment] ?? segment.replace(/-/g, '_').replace(/s$/, '');
    if (pathIds[table]) return pathIds[table];
    const exists = await t.dataSource.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'id'`,
      [table],
    );
    const id = exists.length ? (await t.dataSource.query(`SELECT id FROM "${table}" LIMIT 1`))[0]?.id : undefined;
    return (pathIds[table] = id ?? randomUUID());
  }

  async function pathOf(route: RouteInfo, real: boolean): Promise<string> {
    const parts = route.path.split('/');
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      out.push(part.startsWith(':') ? (real ? await pathIdFor(parts[i - 1] ?? '', part.slice(1)) : randomUUID()) : part);
    }
    const prefix = route.path.startsWith('health') ? '' : '/api/v1';
    return `${prefix}/${out.join('/')}`;
  }

  function casesFor(route: RouteInfo, path: string, randomPath: string): Case[] {
    const dto = route.bodyType && route.bodyType !== Object ? route.bodyType : undefined;
    const fields = dto ? fieldsOf(dto) : [];
    const base = dto ? plausibleBody(dto, fields, ids) : {};
    const baseText = JSON.stringify(base);
    const inner = baseText.slice(1, -1);
    const sep = inner ? ',' : '';
    // A route that reads no body would take a well-formed one and act: aim those at a missing record.
    const target = dto ? path : randomPath;
    const cases: Case[] = [
      { label: 'JSON null', path: target, raw: 'null' },
      { label: 'an array instead of an object', path: target, json: [base] },
      { label: 'an empty array', path: target, raw: '[]' },
      { label: 'a JSON string', path: target, raw: '"just a string"' },
      { label: 'a JSON number', path: target, raw: '1e308' },
      { label: 'a JSON boolean', path: target, raw: 'true' },
      { label: 'truncated JSON', path: target, raw: baseText.slice(0, Math.max(1, Math.floor(baseText.length / 2))) },
      { label: 'a lone brace', path: target, raw: '{' },
      { label: 'trailing garbage', path: target, raw: `${baseText}}` },
      { label: 'an empty JSON body', path: target, raw: '' },
      { label: '__proto__ key (raw text)', path: target, raw: rawObject(`${inner}${sep}"__proto__":{"polluted":"yes","isAdmin":true}`) },
      { label: 'constructor.prototype key (raw text)', path: target, raw: rawObject(`${inner}${sep}"constructor":{"prototype":{"polluted":"yes"}}`) },
      { label: 'prototype key (raw text)', path: target, raw: rawObject(`${inner}${sep}"prototype":{"polluted":"yes"}`) },
      { label: 'unknown fields', path: target, json: { ...base, unknownField: 1, role: 'ADMIN', isAdmin: true } },
      { label: 'text/plain', path: target, raw: baseText, contentType: 'text/plain' },
      { label: 'application/xml', path: target, raw: '<?xml version="1.0"?><body><name>x</name></body>', contentType: 'application/xml' },
      { label: 'form-urlencoded', path: target, raw: 'name=x&version=1', contentType: 'application/x-www-form-urlencoded' },
      { label: 'a body over the size limit', path: target, raw: rawObject(`"padding":"${'x'.repeat(t.config.bodyLimitBytes + 10)}"`) },
      { label: 'deeply nested JSON', path: target, raw: `{"deep":${'['.repeat(20_000)}${']'.repeat(20_000)}}` },
      { label: 'invalid UTF-8', path: target, raw: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]).toString('latin1') },
      { label: 'SQL fragments in every field, with an unknown field', path: target, json: { ...Object.fromEntries(fields.map((f) => [f.name, SQL])), zz: 1 } },
      { label: 'script fragments in every field, with an unknown field', path: target, json: { ...Object.fromEntries(fields.map((f) => [f.name, SCRIPT])), zz: 1 } },
    ];
    if (route.path.includes(':')) {
      // The first path parameter replaced, whatever it is (a UUID id, an SLA kind...).
      const declared = route.path.split('/');
      const at = path.split('/').length - declared.length + declared.findIndex((part) => part.startsWith(':'));
      const bad = (value: string) => path.split('/').map((part, i) => (i === at ? encodeURIComponent(value) : part)).join('/');
      for (const value of ['not-a-uuid', SQL_OR, '..%2F..%2Fetc%2Fpasswd', '00000000-0000-0000-0000-000000000000', 'x'.repeat(180)]) {
        cases.push({ label: `invalid id in the path: ${value.slice(0, 20)}`, path: bad(value), json: base });
      }
    }
    for (const field of fields) {
      for (const [label, value] of badValues(field)) {
        // Null and empty on an optional field can be a legitimate "clear it": only required ones.
        if (!field.required && (value === null || value === '' || label === 'only spaces')) continue;
        cases.push({ label: `${field.name}: ${label}`, path: target, json: { ...base, [field.name]: value } });
      }
    }
    return cases;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
    const [locality] = await q(`INSERT INTO locality (code, name, area, district) VALUES ('BAD-L1', 'Corpus locality', 'North', 'Corpus') RETURNING id`);
    const [school] = await q(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('700001', 'Corpus school', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`, [locality.id]);
    const [organisation] = await q(`INSERT INTO organisation (name, kind) VALUES ('Corpus trust', 'NHS') RETURNING id`);
    const [service] = await q(
      `INSERT INTO service (code, name, organisation_id, unit) VALUES ('CORPUS1', 'Corpus service', $1, 'HOURS') RETURNING id, code`,
      [organisation.id],
    );
    const upnBody = '886700125001';
    const [pupil] = await q(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
       VALUES ($1, 'Corpus', 'Pupil', 'corpus', $2, '2017-05-04', $3, 'K', 'SLCN') RETURNING id`,
      [`${upnCheckLetter(upnBody)}${upnBody}`, nameKey('Pupil'), school.id],
    );
    await q(
      `INSERT INTO support_plan (pupil_id, school_id, outcomes, provision, start_on, review_on)
       VALUES ($1, $2, '[{"description":"Reads 40 words a minute"}]', '[{"description":"Phonics","frequency":"daily","by":"TA"}]', '2026-09-01', '2026-12-01')`,
      [pupil.id, school.id],
    );
    await q(
      `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
       VALUES ($1, $2, $3, $4, 'Corpus request', 'ROUTINE', 4, 'SUBMITTED', '2026-09-02')`,
      [pupil.id, school.id, locality.id, service.code],
    );
    await q(
      `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units) VALUES ($1, $2, '2026-09-01', '2027-08-31', 100)`,
      [locality.id, service.code],
    );
    Object.assign(ids, {
      localityId: locality.id,
      schoolId: school.id,
      organisationId: organisation.id,
      serviceId: service.id,
      serviceCode: service.code,
      pupilId: pupil.id,
    });
    const scopes: Record<Role, UserScope> = {
      SENCO: { schoolId: school.id },
      PANEL: { localityId: locality.id },
      PROVIDER: { organisationId: organisation.id },
      CASEWORKER: { localityId: locality.id },
      MANAGER: { localityId: locality.id },
      ADMIN: {},
    };
    for (const role of ROLE_ORDER) users[role] = await createUser(t, role, scopes[role]);
    // The account the users/:id routes point at: a SENCO other than the callers.
    pathIds.app_user = (await createUser(t, 'SENCO', { schoolId: school.id })).id;
    routes = listRoutes(t.app.get(DiscoveryService), t.app.get(MetadataScanner), t.app.get(Reflector)).filter((r) =>
      ['POST', 'PATCH', 'PUT'].includes(r.method),
    );
    countsBefore = await tableCounts();
  }, 120_000);

  afterAll(async () => {
    const byRoute = new Map<string, number>();
    for (const o of outcomes) byRoute.set(o.route, (byRoute.get(o.route) ?? 0) + 1);
    const statuses = new Map<number, number>();
    for (const o of outcomes) statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
    // eslint-disable-next-line no-console
    console.log(
      `bad-input corpus: ${outcomes.length} cases over ${byRoute.size} POST/PATCH routes ` +
        `(fewest on one route: ${Math.min(...byRoute.values())}); statuses ${[...statuses].sort().map(([s, c]) => `${s}x${c}`).join(' ')}`,
    );
    await t?.close();
  });

  it('finds the POST and PATCH routes from the router', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });

  it('answers every malformed request with a 4xx problem of a known type, never a 5xx', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const role = route.public ? 'ADMIN' : ROLE_ORDER.find((r) => scopeFor(r, route.action!));
      if (!role) continue; // no role may call it: the access matrix covers the 403
      const path = await pathOf(route, true);
      const randomPath = await pathOf(route, false);
      const cases = casesFor(route, path, randomPath);
      expect({ route: key, enough: cases.length >= 20 }).toEqual({ route: key, enough: true });
      for (const c of cases) {
        let req = t.http()[route.method.toLowerCase() as 'post' | 'patch'](c.path);
        if (!route.public) req = req.set('Authorization', users[role].bearer);
        req = req.set('Content-Type', c.contentType ?? 'application/json');
        const res = await req.send(c.raw ?? JSON.stringify(c.json));
        n += 1;
        const outcome: Outcome = { route: key, label: c.label, status: res.status, type: res.body?.type, contentType: res.headers['content-type'] };
        outcomes.push(outcome);
        const ok =
          res.status >= 400 &&
          res.status < 500 &&
          /^application\/problem\+json/.test(outcome.contentType ?? '') &&
          PROBLEM_URIS.has(outcome.type ?? '');
        if (!ok) failures.push(`${key} [${c.label}] -> ${res.status} ${outcome.contentType} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('wrote nothing: every table holds as many rows as before', async () => {
    expect(await tableCounts()).toEqual(countsBefore);
  });

  describe('regressions found by the corpus', () => {
    const admin = () => users.ADMIN;
    const localityCount = async () => Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM locality`))[0].n);
    const post = (path: string, raw: string) =>
      t.http().post(path).set('Authorization', admin().bearer).set('Content-Type', 'application/json').send(raw);

    it('a body nested 2,000 levels deep is a 400 naming the field, not a 500 (class-transformer overflowed its stack)', async () => {
      const before = await localityCount();
      const res = await post('/api/v1/localities', `{"code":"DEEP-01","name":"Deep","area":"North","district":"Deep","deep":${'['.repeat(2000)}${']'.repeat(2000)}}`);
      expect(res.status).toBe(400);
      expect(res.body.type).toBe('/problems/validation');
      expect(res.body.errors).toEqual([{ field: expect.stringMatching(/^deep/), message: 'is nested deeper than 32 levels' }]);
      expect(await localityCount()).toBe(before);
    });

    it('a "prototype" key is refused like any unknown field, not silently dropped (the record was created)', async () => {
      const before = await localityCount();
      const res = await post('/api/v1/localities', '{"code":"PROTO-01","name":"Proto","area":"North","district":"Proto","prototype":{"polluted":"yes"}}');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'prototype', message: 'is not a known field' }]);
      expect(await localityCount()).toBe(before);
    });

    it('a JSON body that is not an object (null) is a 400, not an empty body (the account was unlocked)', async () => {
      const res = await post(`/api/v1/users/${pathIds.app_user}/unlock`, 'null');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    });

    it.each([
      ['/api/v1/localities', { code: 'BLANK-01', name: '   ', area: 'North', district: 'Blank' }],
      ['/api/v1/organisations', { name: ' \t ', kind: 'NHS' }],
    ])('a name of only spaces is a 400 on %s (it was stored)', async (path, body) => {
      const res = await post(path, JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'name', message: 'must not be empty or blank' }]);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM organisation WHERE trim(name) = ''`))[0].n).toBe(0);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM locality WHERE trim(name) = ''`))[0].n).toBe(0);
    });
  });

  it('left Object.prototype unpolluted', () => {
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
