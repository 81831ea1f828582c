import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ScopeFilter } from '../access/scope-filter';
import { Clock } from '../common/clock/clock';
import { readOnReplica } from '../database/read-replica';
import { DashboardScopeService } from './dashboard-scope.service';
import { resolveDashboardWindow } from './dashboard-window';
import { type LocalityModelDashboard, type LocalityModelGroupBy, type LocalityModelQueryDto, type LocalityModelRow } from './dto/locality-model.dto';
import { countWhere, fraction, type Grouping, groupedAggregate, placeGrouping, roundedDays, unionAll } from './grouped-aggregate';

/** The provider a request went to: the organisation its latest approval (by asOf) named. */
const REQUEST_ORGANISATION = `(SELECT dec.organisation_id FROM support_request_decision dec
  WHERE dec.request_id = r.id AND dec.organisation_id IS NOT NULL AND dec.decided_on <= :asOf::date
  ORDER BY dec.decided_on DESC, dec.created_at DESC LIMIT 1)`;

/** Group keys of a request `r` and an allocation `al`, and where the group's name comes from. */
const GROUPINGS: Record<LocalityModelGroupBy, { request: string; allocation: string; grouping: Grouping }> = {
  locality: { request: 'r.locality_id', allocation: 'al.locality_id', grouping: placeGrouping('locality', '') },
  school: { request: 'r.school_id', allocation: 'al.school_id', grouping: placeGrouping('school', '') },
  organisation: { request: REQUEST_ORGANISATION, allocation: 'al.organisation_id', grouping: placeGrouping('organisation', '') },
  service: {
    request: 'r.service_code COLLATE "C"',
    allocation: 'al.service_code COLLATE "C"',
    grouping: { key: '', name: 'g.name', join: 'service g ON g.code = a."groupId"', order: 'a."groupId"' },
  },
  month: {
    request: `to_char(r.submitted_on, 'YYYY-MM') COLLATE "C"`,
    allocation: `to_char(al.offered_on, 'YYYY-MM') COLLATE "C"`,
    grouping: { key: '', name: 'a."groupId"', order: 'a."groupId"' },
  },
};

/** A request's first decision other than deferral up to asOf, one index range per request (`r`). */
const FIRST_DECISION_OF_REQUEST = `(SELECT min(dec.decided_on) FROM support_request_decision dec
  WHERE dec.request_id = r.id AND dec.outcome <> 'DEFERRED' AND dec.decided_on <= :asOf::date)`;

/**
 * The same for every request of the window at once, as a derived table on request_id: one range of
 * decisions by date. Exact because a decision is never before its request was submitted (the
 * window's requests were submitted on or after :from), which the database enforces (migration 1764560200000).
 */
const FIRST_DECISIONS_IN_WINDOW = `(SELECT dec.request_id, min(dec.decided_on) AS decided_on FROM support_request_decision dec
  WHERE dec.outcome <> 'DEFERRED' AND dec.decided_on BETWEEN :from::date AND :asOf::date GROUP BY dec.request_id)`;

/**
 * Each allocation with its sessions up to asOf (first attended session, units used): not the
 * allocation's own first_session_on and units_used, which are as of today. Per record: one index
 * range per allocation. In the window: every session delivered from :from to asOf aggregated once
 * and hash-joined; exact because a session is never delivered before its allocation was offered
 * (the window's allocations were offered on or after :from), which the database enforces (migration 1764560200000).
 */
const ALLOCATIONS_WITH_SESSIONS_PER_RECORD = `(SELECT al.*, ss.first_attended_on, ss.units_used_as_of FROM allocation al LEFT JOIN LATERAL (
    SELECT min(ss.delivered_on) FILTER (WHERE ss.attended) AS first_attended_on, coalesce(sum(ss.units_used), 0) AS units_used_as_of
      FROM allocation_session ss WHERE ss.allocation_id = al.id AND ss.delivered_on <= :asOf::date) ss ON true)`;
const ALLOCATIONS_WITH_SESSIONS_IN_WINDOW = `(SELECT al.*, ss.first_attended_on, coalesce(ss.units_used, 0) AS units_used_as_of FROM allocation al LEFT JOIN (
    SELECT ss.allocation_id, min(ss.delivered_on) FILTER (WHERE ss.attended) AS first_attended_on, sum(ss.units_used) AS units_used
      FROM allocation_session ss WHERE ss.delivered_on BETWEEN :from::date AND :asOf::date GROUP BY ss.allocation_id) ss ON ss.allocation_id = al.id)`;

const MEDIAN = (column: string) => roundedDays(`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${column})`);

/**
 * GET /dashboards/locality-model: how the locality model performs, per locality, school, provider,
 * service or month, as of a date. Two record sources in one SQL aggregate (UNION ALL, then one
 * GROUP BY): support requests selected by submittedOn in [from, to] (time to a panel decision
 * other than deferral), and allocations selected by offeredOn in [from, to] (time to acceptance,
 * to the first attended session, units allocated and used). Everything dated after asOf had not
 * happened yet. Scope: the request's / allocation's locality and school (PANEL: own locality).
 */
@Injectable()
export class LocalityModelService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scopes: DashboardScopeService,
    private readonly clock: Clock,
  ) {}

  compute(scope: ScopeFilter, query: LocalityModelQueryDto): Promise<LocalityModelDashboard> {
    return readOnReplica(this.dataSource, (db) => this.computeOn(db, scope, query));
  }

  private async computeOn(db: EntityManager, scope: ScopeFilter, query: LocalityModelQueryDto): Promise<LocalityModelDashboard> {
    const window = resolveDashboardWindow(query, this.clock.today());
    const groupBy = query.groupBy ?? 'locality';
    await this.scopes.assertPlaceInScope(db, scope, query);
    const keys = GROUPINGS[groupBy];
    // One place (a locality, a school, a provider): probe its few records' sessions and decisions.
    // The county or an area: aggregate the window's sessions and decisions once and hash-join them.
    const narrow = Boolean(
      query.localityId || query.schoolId || query.organisationId || scope.localityId || scope.schoolId || scope.organisationId || scope.nothing,
    );
    const parameters = { from: window.from, to: window.to, asOf: window.asOf };

    const requests = db
      .createQueryBuilder()
      .select(keys.request, 'key')
      .addSelect(`'R'`, 'source')
      .addSelect(narrow ? `${FIRST_DECISION_OF_REQUEST} - r.submitted_on` : 'fd.decided_on - r.submitted_on', 'decision_days')
      .addSelect('NULL::int', 'accept_days')
      .addSelect('NULL::int', 'first_session_days')
      .addSelect('0::numeric', 'units')
      .addSelect('0::numeric', 'used')
      .from('support_request', 'r')
      .innerJoin('locality', 'l', 'l.id = r.locality_id')
      .where('r.submitted_on BETWEEN :from::date AND :to::date')
      .andWhere('r.submitted_on <= :asOf::date')
      .setParameters(parameters);
    if (!narrow) requests.leftJoin(FIRST_DECISIONS_IN_WINDOW, 'fd', 'fd.request_id = r.id');
    this.scopes.restrict(requests, scope, query, { schoolId: 'r.school_id', localityId: 'r.locality_id', area: 'l.area', organisationId: REQUEST_ORGANISATION });

    const allocations = db
      .createQueryBuilder()
      .select(keys.allocation, 'key')
      .addSelect(`'A'`, 'source')
      .addSelect('NULL::int', 'decision_days')
      .addSelect('CASE WHEN al.accepted_on <= :asOf::date THEN al.accepted_on - al.offered_on END', 'accept_days')
      .addSelect('al.first_attended_on - al.offered_on', 'first_session_days')
      .addSelect(`CASE WHEN al.declined_on <= :asOf::date OR al.cancelled_on <= :asOf::date THEN al.units_used_as_of ELSE al.units END`, 'units')
      .addSelect('al.units_used_as_of', 'used')
      .from(narrow ? ALLOCATIONS_WITH_SESSIONS_PER_RECORD : ALLOCATIONS_WITH_SESSIONS_IN_WINDOW, 'al')
      .innerJoin('locality', 'l', 'l.id = al.locality_id')
      .where('al.offered_on BETWEEN :from::date AND :to::date')
      .andWhere('al.offered_on <= :asOf::date')
      .setParameters(parameters);
    this.scopes.restrict(allocations, scope, query, { schoolId: 'al.school_id', localityId: 'al.locality_id', area: 'l.area', organisationId: 'al.organisation_id' });

    const rows = await groupedAggregate<LocalityModelRow>(db, unionAll(db, [requests, allocations]), keys.grouping, {
      requestsSubmitted: countWhere(`s.source = 'R'`),
      requestsDecided: countWhere(`s.source = 'R' AND s.decision_days IS NOT NULL`),
      medianDaysToDecision: MEDIAN('s.decision_days'),
      meanDaysToDecision: roundedDays('avg(s.decision_days)'),
      allocationsMade: countWhere(`s.source = 'A'`),
      allocationsAccepted: countWhere(`s.source = 'A' AND s.accept_days IS NOT NULL`),
      medianDaysToAcceptance: MEDIAN('s.accept_days'),
      medianDaysToFirstSession: MEDIAN('s.first_session_days'),
      unitsAllocated: 'sum(s.units)::float8',
      unitsUsed: 'sum(s.used)::float8',
      utilisation: fraction('sum(s.used)', 'sum(s.units)'),
    });
    return { data: rows, groupBy, ...window };
  }
}
