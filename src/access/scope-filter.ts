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
    case 'SELF':
      return { userId: caller.userId };
  }
}

/** SQL expressions of a record's scope columns, e.g. { schoolId: 'pupil.school_id' }. */
export type ScopeColumns = Partial<Record<Exclude<keyof ScopeFilter, 'nothing'>, string>>;

/**
 * Applies a scope inside a query. A restriction the record type has no column for matches
 * nothing: access is denied by default, never granted by omission.
 */
export function applyScope<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  filter: ScopeFilter,
  columns: ScopeColumns,
): SelectQueryBuilder<T> {
  if (filter.nothing) return query.andWhere('false');
  for (const key of ['schoolId', 'localityId', 'area', 'organisationId', 'userId'] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    const column = columns[key];
    if (!column) return query.andWhere('false');
    query.andWhere(`${column} = :scope_${key}`, { [`scope_${key}`]: value });
  }
  return query;
}
