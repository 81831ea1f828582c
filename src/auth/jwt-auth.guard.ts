import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { PUBLIC_KEY } from '../access/access.decorators';
import { isDatabaseUnavailable } from '../common/problem/database-error';
import { ProblemException } from '../common/problem/problem.exception';

/** Global: every route needs a valid bearer token unless it is @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()])) return true;
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error instanceof ProblemException) throw error;
    // The user row could not be read because the database is away: 503, not a sign-out (401),
    // or every client would throw its token away during an outage.
    if (isDatabaseUnavailable(error)) throw error;
    if (error || !user) {
      // Missing, expired, tampered, wrong algorithm or issuer: one answer, no detail to probe with.
      throw new ProblemException('unauthenticated', 'sign in and send a valid token as Authorization: Bearer <token>');
    }
    return user;
  }
}
