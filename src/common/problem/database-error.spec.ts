import { FieldError, ProblemType } from './problem-type';
import { ProblemException } from './problem.exception';
import { isDatabaseUnavailable, problemFromDatabaseError } from './database-error';

interface PgFake {
  code?: string;
  detail?: string;
  column?: string;
  table?: string;
  constraint?: string;
}

/** The same pg error both bare (as pg throws it) and wrapped (as TypeORM's QueryFailedError carries it). */
function shapes(pg: PgFake): [string, unknown][] {
  const wrapped = Object.assign(new Error('query failed'), { name: 'QueryFailedError', query: 'INSERT ...', driverError: pg });
  return [
    ['bare', Object.assign(new Error('pg error'), pg)],
    ['wrapped in driverError', wrapped],
  ];
}

interface Case {
  name: string;
  pg: PgFake;
  type: ProblemType;
  errors?: FieldError[];
  detail?: string | RegExp;
}

const CASES: Case[] = [
  {
    name: '23505 on a plain column',
    pg: { code: '23505', detail: 'Key (urn)=(118246) already exists.', table: 'school', constraint: 'uq_school_urn' },
    type: 'duplicate',
    errors: [{ field: 'urn', message: 'is already in use' }],
    detail: 'urn is already in use',
  },
  {
    name: '23505 on a lower() expression index',
    pg: { code: '23505', detail: 'Key (lower(name::text))=(x) already exists.' },
    type: 'duplicate',
    errors: [{ field: 'name', message: 'is already in use' }],
  },
  {
    name: '23505 on a composite key',
    pg: { code: '23505', detail: 'Key (locality_id, name)=(6f1c2d1e-4a7b-4d55-9f0e-2b1c3d4e5f60, Oak) already exists.' },
    type: 'duplicate',
    errors: [
      { field: 'localityId', message: 'is already in use' },
      { field: 'name', message: 'is already in use' },
    ],
    detail: 'localityId is already in use; name is already in use',
  },
  {
    name: '23505 on a composite key with an expression',
    pg: { code: '23505', detail: 'Key (locality_id, lower(name::text))=(6f1c2d1e-4a7b-4d55-9f0e-2b1c3d4e5f60, oak) already exists.' },
    type: 'duplicate',
    errors: [
      { field: 'localityId', message: 'is already in use' },
      { field: 'name', message: 'is already in use' },
    ],
  },
  {
    name: '23505 without a detail',
    pg: { code: '23505' },
    type: 'duplicate',
    errors: [{ field: 'id', message: 'is already in use' }],
  },
  {
    name: '23503 on insert: the referenced row is missing',
    pg: {
      code: '23503',
      detail: 'Key (locality_id)=(6f1c2d1e-4a7b-4d55-9f0e-2b1c3d4e5f60) is not present in table "locality".',
      table: 'school',
    },
    type: 'validation',
    errors: [{ field: 'localityId', message: 'unknown locality' }],
  },
  {
    name: '23503 on insert into a snake_case table',
    pg: { code: '23503', detail: 'Key (service_code)=(SLT) is not present in table "catalogue_service".' },
    type: 'validation',
    errors: [{ field: 'serviceCode', message: 'unknown catalogue service' }],
  },
  {
    name: '23503 on delete: the row is still referenced',
    pg: {
      code: '23503',
      detail: 'Key (id)=(6f1c2d1e-4a7b-4d55-9f0e-2b1c3d4e5f60) is still referenced from table "school".',
      table: 'locality',
    },
    type: 'invalid-transition',
    detail: 'this locality is still in use',
  },
  {
    name: '23514 with a column',
    pg: { code: '23514', column: 'capacity_units', constraint: 'ck_pool_capacity_non_negative' },
    type: 'validation',
    errors: [{ field: 'capacityUnits', message: 'breaks the rule ck_pool_capacity_non_negative' }],
  },
  {
    name: '23514 without a column',
    pg: { code: '23514', constraint: 'ck_dates_in_order', table: 'assessment' },
    type: 'validation',
    errors: [{ field: 'body', message: 'breaks the rule ck_dates_in_order' }],
  },
  {
    name: '23502 with a column',
    pg: { code: '23502', column: 'locality_id', table: 'school' },
    type: 'validation',
    errors: [{ field: 'localityId', message: 'is required' }],
  },
  {
    name: '23502 without a column',
    pg: { code: '23502' },
    type: 'validation',
    errors: [{ field: 'body', message: 'is required' }],
  },
  { name: '40001 serialization failure', pg: { code: '40001' }, type: 'stale-version', detail: /try again/ },
  { name: '40P01 deadlock', pg: { code: '40P01' }, type: 'stale-version', detail: /try again/ },
  { name: '55P03 lock not available', pg: { code: '55P03' }, type: 'stale-version', detail: /try again/ },
  { name: '57014 query cancelled (statement timeout)', pg: { code: '57014' }, type: 'unavailable', detail: /too long/ },
];

describe('problemFromDatabaseError', () => {
  describe.each(CASES)('$name', ({ pg, type, errors, detail }) => {
    it.each(shapes(pg))('%s', (_, error) => {
      const problem = problemFromDatabaseError(error);
      expect(problem).toBeInstanceOf(ProblemException);
      expect(problem?.type).toBe(type);
      if (errors) expect(problem?.errors).toEqual(errors);
      else expect(problem?.errors).toBeUndefined();
      if (typeof detail === 'string') expect(problem?.detail).toBe(detail);
      else if (detail) expect(problem?.detail).toMatch(detail);
    });
  });

  it.each<[string, unknown]>([
    ['an unknown SQLSTATE', { code: '42703', detail: 'column does not exist' }],
    ['an unknown SQLSTATE wrapped', { driverError: { code: '42P01' } }],
    ['a connection error code', { code: 'ECONNREFUSED' }],
    ['a Fastify error code', { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }],
    ['a plain Error', new Error('boom')],
    ['an error without a code', { detail: 'Key (urn)=(1) already exists.' }],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'boom'],
    ['a wrapper with a null driverError', { driverError: null }],
  ])('returns undefined for %s', (_, error) => {
    expect(problemFromDatabaseError(error)).toBeUndefined();
  });
});

describe('isDatabaseUnavailable', () => {
  it.each<[string, unknown, boolean]>([
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), true],
    ['ECONNREFUSED by message only', new Error('connect ECONNREFUSED 127.0.0.1:5432'), true],
    ['ETIMEDOUT', { code: 'ETIMEDOUT' }, true],
    ['57P01 admin shutdown', { code: '57P01', message: 'terminating connection due to administrator command' }, true],
    ['57P01 wrapped', { message: 'query failed', driverError: { code: '57P01' } }, true],
    ['57P03 cannot connect now', { code: '57P03' }, true],
    ['08006 connection failure', { code: '08006' }, true],
    ['53300 too many connections', { code: '53300' }, true],
    ['Connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), true],
    ['Connection terminated due to connection timeout', new Error('Connection terminated due to connection timeout'), true],
    ['pool timeout', new Error('timeout exceeded when trying to connect'), true],
    ['a plain Error', new Error('something else broke'), false],
    ['a constraint violation', { code: '23505', detail: 'Key (urn)=(1) already exists.' }, false],
    ['a wrapped constraint violation', { message: 'duplicate key', driverError: { code: '23505' } }, false],
    ['undefined', undefined, false],
    ['null', null, false],
    ['a string', 'Connection terminated unexpectedly', false],
  ])('%s -> %p', (_, error, expected) => {
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['invalid text representation', { code: '22P02', detail: 'invalid input syntax for type uuid' }],
    ['an invalid date wrapped', { driverError: { code: '22007' } }],
    ['a numeric out of range', { code: '22003' }],
  ])('answers a data exception (%s) with 400, never 500', (_, error) => {
    const problem = problemFromDatabaseError(error);
    expect(problem?.type).toBe('validation');
    expect(problem?.status).toBe(400);
  });
});
