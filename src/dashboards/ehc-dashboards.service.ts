import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { ScopeColumns, ScopeFilter } from '../access/scope-filter';
import { Clock } from '../common/clock/clock';
import { readOnReplica } from '../database/read-replica';
import { DashboardScopeService } from './dashboard-scope.service';
import type { DashboardWindow } from './dashboard-window';
import {
  type AnnualReviewsDashboard,
  type AnnualReviewsRow,
  type Ehc20WeekDashboard,
  type Ehc20WeekRow,
  type EhcDashboardQueryDto,
  type EhcGroupBy,
  type EhcRequestsDashboard,
  type EhcRequestsRow,
} from './dto/ehc-dashboards.dto';
import { countWhere, fraction, type Grouping, groupedAggregate, monthGrouping, placeGrouping, resolveCalendarYearWindow, roundedDays } from './grouped-aggregate';

/** EHC records are scoped, and grouped, by the pupil's current school (as the EHC case lists are). */
const EHC_SCOPE: ScopeColumns = { schoolId: 'pupil.school_id', localityId: 'school.locality_id', area: 'locality.area' };

function grouping(groupBy: EhcGroupBy, date: string): Grouping {
  if (groupBy === 'month') return monthGrouping(date);
  return groupBy === 'school' ? placeGrouping('school', 'pupil.school_id') : placeGrouping('locality', 'school.locality_id');
}

/**
 * The statutory EHC dashboards, as DfE publishes the figures (DOMAIN.md "What managers measure"),
 * over calendar-year windows (default: asOf's year) and as they stood on asOf, from the dated rows:
 * - ehc-20-week: new plans (from an assessment) by final plan issue date; weeks from request
 *   received to issue; within 20 weeks = issued <= received + 140 days; 20-52 = 141..364 days;
 *   over 52 = > 364 days. Excluding exceptions: the case had an ehc_exception starting by asOf, or
 *   its EHC_FINAL_PLAN deadline is excepted. Like DfE's, the timeliness figures leave out plans
 *   whose request or assessment went to mediation or tribunal (by asOf), counted apart.
 * - ehc-requests: requests by date received; decided = decision to assess (yes or no) made by
 *   asOf; within 6 weeks = decided <= received + 42 days; refused = decided not to assess.
 * - annual-reviews: review meetings by meeting date; decided by asOf; within 4 weeks = decided <=
 *   meeting + 28 days.
 * Each is one SQL aggregate; no rows come into Node. Read on a replica when there is one.
 */
@Injectable()
export class EhcDashboardsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scopes: DashboardScopeService,
    private readonly clock: Clock,
  ) {}

  private async prepare(db: EntityManager, scope: ScopeFilter, query: EhcDashboardQueryDto): Promise<{ window: DashboardWindow; groupBy: EhcGroupBy }> {
    const window = resolveCalendarYearWindow(query, this.clock.today());
    await this.scopes.assertPlaceInScope(db, scope, query);
    return { window, groupBy: query.groupBy ?? 'locality' };
  }

  /** Records of a pupil, joined to the pupil's current school and locality, restricted to scope and place. */
  private select(db: EntityManager, scope: ScopeFilter, query: EhcDashboardQueryDto, window: DashboardWindow, build: (qb: SelectQueryBuilder<ObjectLiteral>) => void) {
    const qb = db.createQueryBuilder();
    build(qb);
    qb.innerJoin('pupil', 'pupil', 'pupil.id = x.pupil_id')
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      .setParameters({ from: window.from, to: window.to, asOf: window.asOf });
    return this.scopes.restrict(qb, scope, query, EHC_SCOPE);
  }

  twentyWeeks(scope: ScopeFilter, query: EhcDashboardQueryDto): Promise<Ehc20WeekDashboard> {
    return readOnReplica(this.dataSource, (db) => this.twentyWeeksOn(db, scope, query));
  }

  private async twentyWeeksOn(db: EntityManager, scope: ScopeFilter, query: EhcDashboardQueryDto): Promise<Ehc20WeekDashboard> {
    const { window, groupBy } = await this.prepare(db, scope, query);
    const group = grouping(groupBy, 'x.issued_on');
    const selected = this.select(db, scope, query, window, (qb) =>
      qb
        .select(group.key, 'key')
        .addSelect('x.issued_on - a.request_received_on', 'days')
        .addSelect(
          `(EXISTS (SELECT 1 FROM ehc_exception e WHERE e.assessment_id = a.id AND e.from_on <= :asOf::date)
            OR EXISTS (SELECT 1 FROM deadline d WHERE d.subject_type = 'EHC_ASSESSMENT' AND d.subject_id = a.id
                        AND d.kind = 'EHC_FINAL_PLAN' AND d.excepted))`,
          'excepted',
        )
        .addSelect(
          `EXISTS (SELECT 1 FROM ehc_appeal ap WHERE ap.assessment_id = a.id AND ap.stage IN ('REQUEST', 'ASSESSMENT') AND ap.started_on <= :asOf::date)`,
          'appealed',
        )
        .from('ehc_plan', 'x')
        .innerJoin('ehc_assessment', 'a', 'a.id = x.assessment_id')
        .where('x.issued_on BETWEEN :from::date AND :to::date')
        .andWhere('x.issued_on <= :asOf::date'),
    );
    // DfE's timeliness figures leave out assessments where mediation or a tribunal took place.
    const timed = (condition: string) => countWhere(`NOT s.appealed AND ${condition}`);
    const issued = countWhere('NOT s.appealed');
    const within = timed('s.days <= 140');
    const issuedEx = timed('NOT s.excepted');
    const withinEx = timed('s.days <= 140 AND NOT s.excepted');
    const data = await groupedAggregate<Ehc20WeekRow>(db, selected, group, {
      issued,
      within20Weeks: within,
      within20To52Weeks: timed('s.days > 140 AND s.days <= 364'),
      over52Weeks: timed('s.days > 364'),
      meanWeeksToIssue: roundedDays('avg(s.days) FILTER (WHERE NOT s.appealed) / 7'),
      rate: fraction(within, issued),
      issuedExcludingExceptions: issuedEx,
      within20WeeksExcludingExceptions: withinEx,
      rateExcludingExceptions: fraction(withinEx, issuedEx),
      issuedWithMediationOrTribunal: countWhere('s.appealed'),
    });
    return { data, groupBy, ...window };
  }

  requests(scope: ScopeFilter, query: EhcDashboardQueryDto): Promise<EhcRequestsDashboard> {
    return readOnReplica(this.dataSource, (db) => this.requestsOn(db, scope, query));
  }

  private async requestsOn(db: EntityManager, scope: ScopeFilter, query: EhcDashboardQueryDto): Promise<EhcRequestsDashboard> {
    const { window, groupBy } = await this.prepare(db, scope, query);
    const group = grouping(groupBy, 'x.request_received_on');
    const selected = this.select(db, scope, query, window, (qb) =>
      qb
        .select(group.key, 'key')
        .addSelect('x.decision_to_assess_on <= :asOf::date', 'decided')
        .addSelect('x.decision_to_assess', 'assess')
        .addSelect('x.decision_to_assess_on - x.request_received_on', 'days')
        .addSelect('x.withdrawn_on <= :asOf::date AND (x.decision_to_assess_on IS NULL OR x.decision_to_assess_on > x.withdrawn_on)', 'withdrawn')
        .from('ehc_assessment', 'x')
        .where('x.request_received_on BETWEEN :from::date AND :to::date')
        .andWhere('x.request_received_on <= :asOf::date'),
    );
    const decided = countWhere('s.decided');
    const within = countWhere('s.decided AND s.days <= 42');
    const refused = countWhere('s.decided AND NOT s.assess');
    const data = await groupedAggregate<EhcRequestsRow>(db, selected, group, {
      received: 'count(*)::int',
      decided,
      decidedWithin6Weeks: within,
      within6WeeksRate: fraction(within, decided),
      refused,
      refusalRate: fraction(refused, decided),
      withdrawn: countWhere('s.withdrawn AND s.decided IS NOT TRUE'),
      pending: countWhere('s.decided IS NOT TRUE AND s.withdrawn IS NOT TRUE'),
    });
    return { data, groupBy, ...window };
  }

  annualReviews(scope: ScopeFilter, query: EhcDashboardQueryDto): Promise<AnnualReviewsDashboard> {
    return readOnReplica(this.dataSource, (db) => this.annualReviewsOn(db, scope, query));
  }

  private async annualReviewsOn(db: EntityManager, scope: ScopeFilter, query: EhcDashboardQueryDto): Promise<AnnualReviewsDashboard> {
    const { window, groupBy } = await this.prepare(db, scope, query);
    const group = grouping(groupBy, 'x.meeting_on');
    const selected = this.select(db, scope, query, window, (qb) =>
      qb
        .select(group.key, 'key')
        .addSelect('CASE WHEN x.decided_on <= :asOf::date THEN x.decision END', 'decision')
        .addSelect('x.decided_on - x.meeting_on', 'days')
        .from('annual_review', 'x')
        .where('x.meeting_on BETWEEN :from::date AND :to::date')
        .andWhere('x.meeting_on <= :asOf::date'),
    );
    const decided = countWhere('s.decision IS NOT NULL');
    const within = countWhere('s.decision IS NOT NULL AND s.days <= 28');
    const data = await groupedAggregate<AnnualReviewsRow>(db, selected, group, {
      meetings: 'count(*)::int',
      decided,
      decidedWithin4Weeks: within,
      rate: fraction(within, decided),
      maintained: countWhere(`s.decision = 'MAINTAIN'`),
      amended: countWhere(`s.decision = 'AMEND'`),
      ceased: countWhere(`s.decision = 'CEASE'`),
      pending: countWhere('s.decision IS NULL'),
    });
    return { data, groupBy, ...window };
  }
}
