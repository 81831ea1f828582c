import type { Role } from './role';

/**
 * How far a permitted action reaches for a role:
 * - COUNTY: everything (reference data, county-wide staff);
 * - ASSIGNED: a CASEWORKER's or MANAGER's locality, else their area, else the county;
 * - OWN_SCHOOL / OWN_LOCALITY / OWN_ORGANISATION: the school, locality or organisation the user belongs to;
 * - LOCALITY_CASELOAD: a PANEL member's locality, and within it only pupils with a support request there;
 * - ORGANISATION_CASELOAD: a PROVIDER's organisation, and only pupils it holds work for (an allocation or
 *   an advice request, until 30 days after the work completes);
 * - SELF: the caller's own account.
 */
export type Scope =
  | 'COUNTY'
  | 'ASSIGNED'
  | 'OWN_SCHOOL'
  | 'OWN_LOCALITY'
  | 'OWN_ORGANISATION'
  | 'LOCALITY_CASELOAD'
  | 'ORGANISATION_CASELOAD'
  | 'SELF';

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
  // The SEN register (API.md roles table: note the narrow PANEL and PROVIDER scopes).
  'pupils.read': {
    SENCO: 'OWN_SCHOOL',
    PANEL: 'LOCALITY_CASELOAD',
    PROVIDER: 'ORGANISATION_CASELOAD',
    CASEWORKER: 'ASSIGNED',
    MANAGER: 'ASSIGNED',
  },
  'pupils.write': { SENCO: 'OWN_SCHOOL' },
  // Transfer: the SENCO of the RECEIVING school (the body's schoolId must be theirs), or a caseworker.
  'pupils.transfer': { SENCO: 'OWN_SCHOOL', CASEWORKER: 'ASSIGNED' },
  'pupils.leave': { SENCO: 'OWN_SCHOOL', CASEWORKER: 'ASSIGNED' },
  'pupils.access-log': { ADMIN: 'COUNTY', MANAGER: 'ASSIGNED' },
  // Support plans (assess-plan-do-review cycles).
  'support-plans.read': { SENCO: 'OWN_SCHOOL', PANEL: 'LOCALITY_CASELOAD', CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED' },
  'support-plans.write': { SENCO: 'OWN_SCHOOL' },
  // Support requests from SENCOs to their locality, and the locality's resource pools.
  'support-requests.read': { SENCO: 'OWN_SCHOOL', PANEL: 'OWN_LOCALITY', CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED' },
  'support-requests.write': { SENCO: 'OWN_SCHOOL' },
  'resource-pools.read': { PANEL: 'OWN_LOCALITY', CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED', ADMIN: 'COUNTY' },
  'resource-pools.write': { PANEL: 'OWN_LOCALITY', ADMIN: 'COUNTY' },
  // Panels: meetings and decisions of a locality's panel (issue 5).
  'panel-meetings.read': { PANEL: 'OWN_LOCALITY', CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED' },
  'panel-meetings.write': { PANEL: 'OWN_LOCALITY' },
  'support-requests.decide': { PANEL: 'OWN_LOCALITY' },
  // Allocations of pool units to providers: read in scope; the panel cancels or extends them; the
  // provider organisation accepts, declines, records sessions and completes them (issues 5 and 6).
  'allocations.read': {
    SENCO: 'OWN_SCHOOL',
    PANEL: 'OWN_LOCALITY',
    PROVIDER: 'OWN_ORGANISATION',
    CASEWORKER: 'ASSIGNED',
    MANAGER: 'ASSIGNED',
  },
  'allocations.manage': { PANEL: 'OWN_LOCALITY' },
  'allocations.deliver': { PROVIDER: 'OWN_ORGANISATION' },
  // EHC needs assessments (issue 7). Cases are scoped by the pupil's current school. SENCOs read
  // the cases of their own school's pupils (API.md: they read "pupils of own school, their plans,
  // requests, ... deadlines"), never write them. Advice requests: the provider organisation asked
  // reads its worklist and records receipt; caseworkers in scope do too; managers read.
  'ehc-assessments.read': { SENCO: 'OWN_SCHOOL', CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED' },
  'ehc-assessments.write': { CASEWORKER: 'ASSIGNED' },
  'advice-requests.read': { PROVIDER: 'OWN_ORGANISATION', CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED' },
  'advice-requests.receive': { PROVIDER: 'OWN_ORGANISATION', CASEWORKER: 'ASSIGNED' },
  'ehc-plans.read': { SENCO: 'OWN_SCHOOL', CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED' },
  'annual-reviews.write': { CASEWORKER: 'ASSIGNED' },
  // The yearly run that opens PHASE_TRANSFER deadlines: a caseworker for their patch, an admin county-wide.
  'ehc-plans.phase-transfers': { CASEWORKER: 'ASSIGNED', ADMIN: 'COUNTY' },
  // Timeliness: deadlines in scope; SLA rules readable by all, local targets changed by ADMIN.
  'deadlines.read': {
    SENCO: 'OWN_SCHOOL',
    PANEL: 'OWN_LOCALITY',
    PROVIDER: 'OWN_ORGANISATION',
    CASEWORKER: 'ASSIGNED',
    MANAGER: 'ASSIGNED',
  },
  'sla-rules.read': EVERYONE('COUNTY'),
  'sla-rules.write': { ADMIN: 'COUNTY' },
  // Dashboards and worklists (issue 8; API.md roles): managers and caseworkers in their scope, a
  // panel for its own locality. ADMIN does not browse cases; schools and providers have no dashboards.
  'dashboards.read': { PANEL: 'OWN_LOCALITY', CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED' },
  // The SEN2 return (issue 8): person-level, so managers (county-wide when unassigned) and caseworkers in their scope only.
  'exports.sen2': { CASEWORKER: 'ASSIGNED', MANAGER: 'ASSIGNED' },
  // Accounts.
  'users.read': { ADMIN: 'COUNTY' },
  'users.write': { ADMIN: 'COUNTY' },
  'self.read': EVERYONE('SELF'),
  'self.write': EVERYONE('SELF'),
  // Bulk CSV imports (issue 9): schools from a GIAS extract (ADMIN); pupils county-wide (ADMIN) or
  // for the SENCO's own school (a row for another school is a row error).
  'imports.schools': { ADMIN: 'COUNTY' },
  'imports.pupils': { ADMIN: 'COUNTY', SENCO: 'OWN_SCHOOL' },
  'imports.ehc-assessments': { ADMIN: 'COUNTY', CASEWORKER: 'ASSIGNED' },
  // The audit trail: ADMIN county-wide, MANAGER for records in their scope.
  'audit.read': { ADMIN: 'COUNTY', MANAGER: 'ASSIGNED' },
  // Not a route: who sees the security log (sign-ins, lockouts, account changes) inside audit.read.
  'audit.security-log': { ADMIN: 'COUNTY' },
  // Data protection (UK GDPR arts. 15 and 17): subject access export and erasure, ADMIN only.
  'pupils.subject-access-export': { ADMIN: 'COUNTY' },
  'pupils.erasure': { ADMIN: 'COUNTY' },
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
