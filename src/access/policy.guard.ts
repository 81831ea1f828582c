import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '../common/problem/problem.exception';
import { ACTION_KEY, AuthenticatedRequest, PUBLIC_KEY } from './access.decorators';
import { Action, allowedWithTemporaryPassword, scopeFor } from './policy';
import { scopeFilter } from './scope-filter';

/**
 * The one authorisation gate: runs after the JWT guard on every route, reads the route's
 * declared action and answers 403 when the caller's role has no grant for it. A route with no
 * action is refused (and the app will not start with one: see RouteCoverageCheck).
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller = request.user;
    if (!caller) throw new ProblemException('unauthenticated', 'sign in and send the token as Authorization: Bearer <token>');
    const action = this.reflector.getAllAndOverride<Action>(ACTION_KEY, targets);
    if (!action) throw new ProblemException('forbidden', 'this route declares no action');
    if (caller.mustChangePassword && !allowedWithTemporaryPassword(action)) {
      throw new ProblemException('forbidden', 'change your temporary password first (POST /api/v1/auth/change-password)');
    }
    const scope = scopeFor(caller.role, action);
    if (!scope) throw new ProblemException('forbidden', `the ${caller.role} role may not do this (${action})`);
    request.scope = scopeFilter(caller, scope);
    return true;
  }
}
