import { ProblemException } from '../problem/problem.exception';
import { assertVersion, expectedVersion, parseIfMatch } from './expected-version';

function problemFrom(fn: () => unknown): ProblemException {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return error as ProblemException;
  }
  throw new Error('expected a ProblemException, but nothing was thrown');
}

function expectInvalid(fn: () => unknown, field: string): void {
  const problem = problemFrom(fn);
  expect(problem.type).toBe('validation');
  expect(problem.status).toBe(400);
  expect(problem.errors).toEqual([{ field, message: expect.any(String) }]);
}

describe('parseIfMatch', () => {
  it.each<[string | string[], number]>([
    ['"3"', 3],
    ['W/"3"', 3],
    ['3', 3],
    [' "3" ', 3],
    ['"0"', 0],
    ['"123456789"', 123456789],
    [['"7"'], 7],
  ])('%p -> %d', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('is undefined when the header is absent', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it.each([['abc'], ['"abc"'], ['*'], [''], ['"-1"'], ['"3.5"'], ['"1234567890"'], ['"3", "4"'], ['w/"3"']])(
    'rejects %p as a 400 on If-Match',
    (header) => {
      expectInvalid(() => parseIfMatch(header), 'If-Match');
    },
  );
});

describe('expectedVersion', () => {
  it.each<[number | undefined, number | undefined, number]>([
    [3, undefined, 3],
    [undefined, 3, 3],
    [3, 3, 3],
    [0, undefined, 0],
    [undefined, 0, 0],
  ])('body %p, If-Match %p -> %d', (body, ifMatch, version) => {
    expect(expectedVersion(body, ifMatch)).toBe(version);
  });

  it('is a 400 on version when neither is sent', () => {
    expectInvalid(() => expectedVersion(undefined, undefined), 'version');
  });

  it.each([
    [3, 4],
    [0, 1],
  ])('is a 400 on version when body %p and If-Match %p disagree', (body, ifMatch) => {
    expectInvalid(() => expectedVersion(body, ifMatch), 'version');
  });
});

describe('assertVersion', () => {
  it('passes when the versions match', () => {
    expect(() => assertVersion('school', 3, 3)).not.toThrow();
  });

  it.each([
    [4, 3],
    [2, 3],
  ])('is a 409 stale-version carrying currentVersion when current %p != expected %p', (current, expected) => {
    const problem = problemFrom(() => assertVersion('school', current, expected));
    expect(problem.type).toBe('stale-version');
    expect(problem.status).toBe(409);
    expect(problem.extensions).toEqual({ currentVersion: current });
    expect(problem.detail).toContain('school');
    expect(problem.detail).toContain(`version ${current}`);
  });
});
