import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../../access/access.decorators';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ApiProblems } from '../problem/api-problem-responses.decorator';
import { RateLimiter } from './rate-limiter';

/** The budgets a route can draw on; each is counted per user per minute, across instances. */
export type RateLimitClass = 'expensive';

export const RATE_LIMIT_KEY = 'rate-limit:class';

/**
 * Marks a costly route (dashboards, exports, imports): each user may call the routes of this class
 * at most EXPENSIVE_RATE_LIMIT_PER_MINUTE times a minute in total; over that is a 429
 * /problems/rate-limited with Retry-After. Counted by the RateLimiter in PostgreSQL.
 */
export const RateLimited = (limitClass: RateLimitClass) =>
  applyDecorators(SetMetadata(RATE_LIMIT_KEY, limitClass), ApiProblems('rate-limited'));

/**
 * Global guard, registered after the JWT and policy guards (so it counts only callers who may
 * call the route: a refused role costs nothing and cannot exhaust someone else's budget).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limitClass = this.reflector.getAllAndOverride<RateLimitClass>(RATE_LIMIT_KEY, [context.getHandler(), context.getClass()]);
    if (!limitClass) return true;
    const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    const who = caller?.userId ?? 'anonymous';
    await this.limiter.hit(`${limitClass}:${who}`, this.limitOf(limitClass), 60);
    return true;
  }

  private limitOf(limitClass: RateLimitClass): number {
    switch (limitClass) {
      case 'expensive':
        return this.config.expensiveRateLimitPerMinute;
    }
  }
}
