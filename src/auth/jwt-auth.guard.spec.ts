import { Reflector } from '@nestjs/core';
import { toProblemResponse } from '../common/problem/problem-response';
import { ProblemException } from '../common/problem/problem.exception';
import { JwtAuthGuard } from './jwt-auth.guard';

/** What the guard makes of the strategy's outcome: a caller, a 401, or the database's 503. */
describe('JwtAuthGuard.handleRequest', () => {
  const guard = new JwtAuthGuard(new Reflector());
  const statusOf = (error: unknown, user: unknown): number => {
    try {
      guard.handleRequest(error, user);
      return 200;
    } catch (thrown) {
      return toProblemResponse(thrown, {}).status;
    }
  };

  it.each([
    ['a caller', null, { userId: 'u' }, 200],
    ['no token or a bad one', null, false, 401],
    ['the strategy refusing the token', new ProblemException('unauthenticated', 'no longer valid'), false, 401],
    ['an unexpected error', new Error('boom'), false, 401],
    // Regression: during a database outage every signed-in call answered 401 and clients signed out.
    ['the database refusing connections', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), false, 503],
    ['the pool timing out', new Error('timeout exceeded when trying to connect'), false, 503],
    ['the connection dropping', new Error('Connection terminated unexpectedly'), false, 503],
  ])('%s', (_name, error, user, status) => {
    expect(statusOf(error, user)).toBe(status);
  });
});
