import { ProblemException } from '../problem/problem.exception';
import { CursorPosition, decodeCursor, encodeCursor, parseSort } from './keyset-cursor';

const ID = '6f1c2d1e-4a7b-4d55-9f0e-2b1c3d4e5f60';

function problemFrom(fn: () => unknown): ProblemException {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return error as ProblemException;
  }
  throw new Error('expected a ProblemException, but nothing was thrown');
}

function expectInvalid(fn: () => unknown, field: string): ProblemException {
  const problem = problemFrom(fn);
  expect(problem.type).toBe('validation');
  expect(problem.status).toBe(400);
  expect(problem.errors).toHaveLength(1);
  expect(problem.errors?.[0].field).toBe(field);
  return problem;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

describe('encodeCursor / decodeCursor', () => {
  it.each<[string, CursorPosition]>([
    ['a string key', { sort: 'name', key: 'St Mary’s C of E Primary', id: ID }],
    ['a descending sort', { sort: '-name', key: 'Zeta "quoted" / slashed', id: ID }],
    ['a number key', { sort: 'urn', key: 118246, id: ID }],
    ['a zero key', { sort: '-urn', key: 0, id: ID }],
    ['an empty string key', { sort: 'name', key: '', id: ID.toUpperCase() }],
    ['a date key', { sort: 'createdAt', key: '2025-01-15T12:00:00.000Z', id: ID }],
  ])('round-trips %s', (_, position) => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/); // URL-safe, no padding
    expect(decodeCursor(cursor, position.sort)).toEqual(position);
  });

  it('keeps the key type (number stays number, numeric string stays string)', () => {
    expect(decodeCursor(encodeCursor({ sort: 'urn', key: 42, id: ID }), 'urn').key).toBe(42);
    expect(decodeCursor(encodeCursor({ sort: 'urn', key: '42', id: ID }), 'urn').key).toBe('42');
  });

  it.each([
    ['name', '-name'],
    ['-name', 'name'],
    ['name', 'urn'],
  ])('rejects a cursor made for sort %p when the sort is %p', (madeFor, sort) => {
    const cursor = encodeCursor({ sort: madeFor, key: 'x', id: ID });
    const problem = expectInvalid(() => decodeCursor(cursor, sort), 'cursor');
    expect(problem.errors?.[0].message).toContain(`"${madeFor}"`);
  });

  it.each<[string, string]>([
    ['garbage', '!!!not-a-cursor!!!'],
    ['an empty string', ''],
    ['base64 of non-JSON', b64('hello world')],
    ['base64 of truncated JSON', b64('["name","x",')],
    ['a JSON object', b64(JSON.stringify({ sort: 'name', key: 'x', id: ID }))],
    ['a JSON string', b64(JSON.stringify('name'))],
    ['JSON null', b64('null')],
    ['an array of 2', b64(JSON.stringify(['name', 'x']))],
    ['an array of 4', b64(JSON.stringify(['name', 'x', ID, 'extra']))],
    ['a non-string sort', b64(JSON.stringify([1, 'x', ID]))],
    ['a boolean key', b64(JSON.stringify(['name', true, ID]))],
    ['a null key', b64(JSON.stringify(['name', null, ID]))],
    ['an object key', b64(JSON.stringify(['name', { a: 1 }, ID]))],
    ['a numeric id', b64(JSON.stringify(['name', 'x', 12345]))],
    ['a non-uuid id', b64(JSON.stringify(['name', 'x', 'not-a-uuid']))],
    ['an id with SQL in it', b64(JSON.stringify(['name', 'x', "' OR 1=1 --"]))],
    ['an id of 36 dashes', b64(JSON.stringify(['name', 'x', '-'.repeat(36)]))],
    ['an id of 36 hex digits', b64(JSON.stringify(['name', 'x', 'a'.repeat(36)]))],
  ])('rejects %s as a 400 on cursor', (_, cursor) => {
    const problem = expectInvalid(() => decodeCursor(cursor, 'name'), 'cursor');
    expect(problem.errors?.[0].message).toBe('is not a cursor this API gave out');
  });
});

describe('parseSort', () => {
  const allowed = ['name', 'urn', 'createdAt'] as const;

  it.each([
    ['name', { field: 'name', descending: false }],
    ['-name', { field: 'name', descending: true }],
    ['urn', { field: 'urn', descending: false }],
    ['-createdAt', { field: 'createdAt', descending: true }],
  ])('accepts %p', (sort, expected) => {
    expect(parseSort(sort, allowed, 'name')).toEqual(expected);
  });

  it.each([
    [undefined, 'name', { field: 'name', descending: false }],
    [undefined, '-createdAt', { field: 'createdAt', descending: true }],
  ])('falls back to the default when sort is %p (default %p)', (sort, fallback, expected) => {
    expect(parseSort(sort, allowed, fallback)).toEqual(expected);
  });

  it.each([['colour'], ['-colour'], ['Name'], ['--name'], ['+name'], ['name,urn'], ['']])('rejects %p on sort', (sort) => {
    const problem = expectInvalid(() => parseSort(sort, allowed, 'name'), 'sort');
    expect(problem.errors?.[0].message).toBe('must be one of name, -name, urn, -urn, createdAt, -createdAt');
  });
});
