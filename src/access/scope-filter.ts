import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Caller } from './caller';
import type { Scope } from './policy';

/** The rows a caller may touch for one action, as column restrictions (none = everything). */
export interface ScopeFilter {
  schoolId?: string;
  localityId?: string;
  area?: string;
  organisationId?: string;
  userId?: string;
  /**
   * Only records in the caller's caseload (PANEL: pupils with a request in their locality;
   * PROVIDER: pupils their organisation holds work for). The service supplies the SQL.
   */
  caseload?: 'LOCALITY' | 'ORGANISATION';
  /** The caller's scope field is missing (a misconfigured account): nothing is in scope. */
  nothing?: true;
}

export function scopeFilter(caller: Caller, scope: Scope): ScopeFilter {
  const required = (value: string | null, key: keyof ScopeFilter): ScopeFilter => (value ? { [key]: value } : { nothing: true });
  switch (scope) {
    case 'COUNTY':
      return {};
    case 'ASSIGNED':
      if (caller.localityId) return { localityId: caller.localityId };
      if (caller.area) return { area: caller.area };
      return {};
    case 'OWN_SCHOOL':
      return required(caller.schoolId, 'schoolId');
    case 'OWN_LOCALITY':
      return required(caller.localityId, 'localityId');
    case 'OWN_ORGANISATION':
      return required(caller.organisationId, 'organisationId');
    case 'LOCALITY_CASELOAD':
      return caller.localityId ? { localityId: caller.localityId, caseload: 'LOCALITY' } : { nothing: true };
    case 'ORGANISATION_CASELOAD':
      return caller.organisationId ? { organisationId: caller.organisationId, caseload: 'ORGANISATION' } : { nothing: true };
    case 'SELF':
      return { userId: caller.userId };
  }
}

/**
 * SQL expressions of a record's scope columns, e.g. { schoolId: 'pupil.school_id' }. `caseload`
 * is a boolean SQL condition that may use :scope_localityId / :scope_organisationId.
 */
export type ScopeColumns = Partial<Record<Exclude<keyof ScopeFilter, 'nothing'>, string>>;

/** A scope as SQL: conditions to AND together and the named (`:scope_...`) parameters they use. */
export interface ScopeConditions {
  conditions: string[];
  parameters: Record<string, string>;
}

/**
 * A scope's conditions on a record's columns. A restriction the record type has no column for
 * matches nothing: access is denied by default, never granted by omission.
 */
export function scopeConditions(filter: ScopeFilter, columns: ScopeColumns): ScopeConditions {
  const parameters: Record<string, string> = {};
  const conditions: string[] = [];
  const nothing = { conditions: ['false'], parameters };
  if (filter.nothing) return nothing;
  for (const key of ['schoolId', 'localityId', 'area', 'organisationId', 'userId'] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    parameters[`scope_${key}`] = value;
    // A caseload condition replaces the plain column test (a PANEL's pupil may sit in another
    // locality's school yet have a request in theirs).
    if (filter.caseload) continue;
    const column = columns[key];
    if (!column) return nothing;
    conditions.push(`${column} = :scope_${key}`);
  }
  if (filter.caseload) {
    if (!columns.caseload) return nothing;
    conditions.push(`(${columns.caseload})`);
  }
  return { conditions, parameters };
}

/** Applies a scope inside a query (scopeConditions, AND-ed to its WHERE). */
export function applyScope<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  filter: ScopeFilter,
  columns: ScopeColumns,
): SelectQueryBuilder<T> {
  const { conditions, parameters } = scopeConditions(filter, columns);
  query.setParameters(parameters);
  for (const condition of conditions) query.andWhere(condition);
  return query;
}
