import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import type { Caller } from './caller';
import type { Action } from './policy';
import type { ScopeFilter } from './scope-filter';

export const ACTION_KEY = 'access:action';
export const PUBLIC_KEY = 'access:public';

/** Declares the action a route performs; the global guard checks it against the policy table. */
export const Can = (action: Action) =>
  applyDecorators(SetMetadata(ACTION_KEY, action), ApiBearerAuth(), ApiProblems('unauthenticated', 'forbidden'));

/** A route anyone may call without signing in (login, health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export interface AuthenticatedRequest {
  user?: Caller;
  scope?: ScopeFilter;
  id?: string;
  ip?: string;
}

/** The signed-in caller, with the request id and client address for the audit trail. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  return { ...(request.user as Caller), requestId: request.id, ip: request.ip };
});

/** The caller's scope for this route's action (set by the guard). */
export const CallerScope = createParamDecorator(
  (_: unknown, context: ExecutionContext): ScopeFilter => context.switchToHttp().getRequest<AuthenticatedRequest>().scope ?? { nothing: true },
);
