import { Injectable } from '@nestjs/common';
import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { ProblemException } from '../common/problem/problem.exception';

/** The place filters every dashboard takes (API.md: within the caller's scope; outside it, 404). */
export interface DashboardPlace {
  localityId?: string;
  schoolId?: string;
  organisationId?: string;
}

/**
 * Scope for every dashboard, in one place: checks that the place a caller asks about is theirs to
 * see, then restricts the dashboard's query to the caller's scope and that place.
 */
@Injectable()
export class DashboardScopeService {

  /**
   * A locality, school or organisation filter that does not exist or lies outside the caller's
   * scope answers 404 (never revealing which). Organisations are county-wide providers: a
   * locality's manager may narrow their own figures to one; only an organisation-bound scope
   * restricts which. Read on `manager`, the dashboard's own (readOnReplica) connection.
   */
  async assertPlaceInScope(manager: EntityManager, scope: ScopeFilter, place: DashboardPlace): Promise<void> {
    const exists = async (query: SelectQueryBuilder<ObjectLiteral>) => (await query.limit(1).getRawMany()).length > 0;
    if (place.localityId) {
      const query = manager.createQueryBuilder().select('1').from('locality', 'l').where('l.id = :id', { id: place.localityId });
      applyScope(query, scope, { localityId: 'l.id', area: 'l.area' });
      if (!(await exists(query))) throw ProblemException.notFound('locality');
    }
    if (place.schoolId) {
      const query = manager
        .createQueryBuilder()
        .select('1')
        .from('school', 's')
        .innerJoin('locality', 'l', 'l.id = s.locality_id')
        .where('s.id = :id', { id: place.schoolId });
      applyScope(query, scope, { schoolId: 's.id', localityId: 's.locality_id', area: 'l.area' });
      if (!(await exists(query))) throw ProblemException.notFound('school');
    }
    if (place.organisationId) {
      const query = manager.createQueryBuilder().select('1').from('organisation', 'o').where('o.id = :id', { id: place.organisationId });
      applyScope(query, { nothing: scope.nothing, organisationId: scope.organisationId }, { organisationId: 'o.id' });
      if (!(await exists(query))) throw ProblemException.notFound('organisation');
    }
  }

  /**
   * Restricts a dashboard query to the caller's scope and to the place asked for, given the SQL
   * columns of its records (a filter the record type has no column for matches nothing).
   */
  restrict<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, scope: ScopeFilter, place: DashboardPlace, columns: ScopeColumns): SelectQueryBuilder<T> {
    applyScope(query, scope, columns);
    for (const key of ['localityId', 'schoolId', 'organisationId'] as const) {
      const value = place[key];
      if (!value) continue;
      const column = columns[key];
      query.andWhere(column ? `${column} = :place_${key}` : 'false', { [`place_${key}`]: value });
    }
    return query;
  }
}
