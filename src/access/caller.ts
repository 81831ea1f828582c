import type { Role } from './role';

/**
 * Who is calling, as services need it: identity, role, the scope the role is bound to, and
 * where the request came from (for the audit trail). Built by the JWT strategy from the user
 * row on every request, so a deactivated user or a changed scope takes effect at once.
 */
export interface Caller {
  userId: string;
  email: string;
  role: Role;
  schoolId: string | null;
  localityId: string | null;
  area: string | null;
  organisationId: string | null;
  mustChangePassword: boolean;
  requestId?: string;
  ip?: string;
}

/**
 * For work done by the system itself (seeding, imports from the CLI, scheduled jobs), or for a
 * request with no known user behind it (a sign-in attempt for an unknown email), which keeps
 * where the request came from like a Caller does.
 */
export interface SystemActor {
  system: string;
  requestId?: string;
  ip?: string;
}

export type Actor = Caller | SystemActor;

export function isCaller(actor: Actor): actor is Caller {
  return (actor as Caller).userId !== undefined;
}
