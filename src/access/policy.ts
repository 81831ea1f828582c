import type { Role } from './role';

/**
 * How far a permitted action reaches for a role:
 * - COUNTY: everything (reference data, county-wide staff);
 * - ASSIGNED: a CASEWORKER's or MANAGER's locality, else their area, else the county;
 * - OWN_SCHOOL / OWN_LOCALITY / OWN_ORGANISATION: the school, locality or organisation the user belongs to;
 * - SELF: the caller's own account.
 */
export type Scope = 'COUNTY' | 'ASSIGNED' | 'OWN_SCHOOL' | 'OWN_LOCALITY' | 'OWN_ORGANISATION' | 'SELF';

type Grants = Partial<Record<Role, Scope>>;

const EVERYONE = (scope: Scope): Grants => ({
  SENCO: scope,
  PANEL: scope,
  PROVIDER: scope,
  CASEWORKER: scope,
  MANAGER: scope,
  ADMIN: scope,
});

/**
 * THE policy table (ARCHITECTURE.md idea 2): role x action x scope. Controllers declare an
 * action with @Can; the global guard answers 403 when the role has no grant, and services apply
 * the scope inside their SQL (out of scope = 404). No other code checks roles.
 */
export const POLICY = {
  // Reference data: everyone signed in reads it; ADMIN writes it.
  'localities.read': EVERYONE('COUNTY'),
  'localities.write': { ADMIN: 'COUNTY' },
  'schools.read': EVERYONE('COUNTY'),
  'schools.write': { ADMIN: 'COUNTY' },
  'organisations.read': EVERYONE('COUNTY'),
  'organisations.write': { ADMIN: 'COUNTY' },
  'services.read': EVERYONE('COUNTY'),
  'services.write': { ADMIN: 'COUNTY' },
  // Accounts.
  'users.read': { ADMIN: 'COUNTY' },
  'users.write': { ADMIN: 'COUNTY' },
  'self.read': EVERYONE('SELF'),
  'self.write': EVERYONE('SELF'),
  // The audit trail: ADMIN county-wide, MANAGER for records in their scope.
  'audit.read': { ADMIN: 'COUNTY', MANAGER: 'ASSIGNED' },
  // Not a route: who sees the security log (sign-ins, lockouts, account changes) inside audit.read.
  'audit.security-log': { ADMIN: 'COUNTY' },
} as const satisfies Record<string, Grants>;

export type Action = keyof typeof POLICY;

export const ACTIONS = Object.keys(POLICY) as Action[];

/** The scope a role has for an action, or undefined when the role may never do it (403). */
export function scopeFor(role: Role, action: Action): Scope | undefined {
  return (POLICY[action] as Grants)[role];
}

/** Actions a user with a temporary password may still take (to change it). */
export function allowedWithTemporaryPassword(action: Action): boolean {
  return action === 'self.read' || action === 'self.write';
}
