import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ScopeFilter } from '../access/scope-filter';
import { Clock } from '../common/clock/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { readOnReplica } from '../database/read-replica';
import { deadlineExistsAsOfSql, deadlineScopeColumns, deadlineStatusSql } from '../timeliness/deadline-sql';
import { DashboardScopeService } from './dashboard-scope.service';
import { resolveDashboardWindow } from './dashboard-window';
import { type TimelinessDashboard, type TimelinessDashboardQueryDto, type TimelinessGroupBy, type TimelinessRow } from './dto/timeliness-dashboard.dto';
import { countWhere, fraction, type Grouping, groupedAggregate, monthGrouping, placeGrouping, roundedDays } from './grouped-aggregate';

/** How each groupBy groups deadlines and where its name comes from. */
const GROUPINGS: Record<TimelinessGroupBy, Grouping> = {
  locality: placeGrouping('locality', 'd.locality_id'),
  school: placeGrouping('school', 'd.school_id'),
  organisation: placeGrouping('organisation', 'd.organisation_id'),
  kind: { key: 'd.kind COLLATE "C"', name: 'g.description', join: 'sla_rule g ON g.kind = a."groupId"', order: 'a."groupId"' },
  month: monthGrouping('d.due_on'),
};

const MET = `s.status IN ('MET_ON_TIME', 'MET_LATE')`;
const ON_TIME = `s.status = 'MET_ON_TIME'`;
/** One sort of each group's days to meet serves both percentiles. */
const PERCENTILES = `(percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY s.days) FILTER (WHERE ${MET}))`;

/**
 * GET /dashboards/timeliness: how deadlines of every kind are being met, per group, as of a date.
 * One SQL statement aggregating over `deadline` (ARCHITECTURE.md idea 1), so a workflow that
 * opens deadlines shows up here without a line of code. Definitions (API.md "Timeliness"):
 * - selected: dueOn in [from, to], and already started on asOf (later ones did not exist yet);
 * - status as of asOf by deadline_status: a meeting or cancellation after asOf had not happened;
 * - met / metOnTime / open / overdue / dueSoon count those statuses (open = unmet and uncancelled);
 * - onTimeRate = metOnTime / met, null when met = 0 (4 decimals, grouped-aggregate.ts);
 * - median and p90 days to meet: percentile_cont of (metOn - startsOn) over the met ones (1 decimal);
 * - "excluding exceptions": the same counts without deadlines marked as exceptions.
 * Shape (bench/dashboard-timeliness.ts): groupedAggregate (grouped-aggregate.ts, as every dashboard):
 * the inner query, behind an OFFSET 0 fence, derives each selected deadline's status once; the
 * aggregate groups by the bare key; names are joined to the groups afterwards, not carried through
 * the sort. Read on a replica when there is one.
 */
@Injectable()
export class TimelinessDashboardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scopes: DashboardScopeService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  compute(scope: ScopeFilter, query: TimelinessDashboardQueryDto): Promise<TimelinessDashboard> {
    return readOnReplica(this.dataSource, (db) => this.computeOn(db, scope, query));
  }

  private async computeOn(db: EntityManager, scope: ScopeFilter, query: TimelinessDashboardQueryDto): Promise<TimelinessDashboard> {
    const window = resolveDashboardWindow(query, this.clock.today());
    const groupBy = query.groupBy ?? 'locality';
    await this.scopes.assertPlaceInScope(db, scope, query);
    const group = GROUPINGS[groupBy];

    const selected = db
      .createQueryBuilder()
      .select(group.key, 'key')
      .addSelect(deadlineStatusSql('d'), 'status')
      .addSelect('d.met_on - d.starts_on', 'days')
      .addSelect('d.excepted', 'excepted')
      .from('deadline', 'd')
      .leftJoin('locality', 'locality', 'locality.id = d.locality_id')
      .where(deadlineExistsAsOfSql('d'))
      .andWhere('d.due_on BETWEEN :from::date AND :to::date')
      .setParameters({ asOf: window.asOf, from: window.from, to: window.to, dueSoon: this.config.dueSoonDays });
    this.scopes.restrict(selected, scope, query, deadlineScopeColumns('d', 'locality'));
    if (query.kind) selected.andWhere('d.kind = :kind', { kind: query.kind });
    const data = await groupedAggregate<TimelinessRow>(db, selected, group, {
      met: countWhere(MET),
      metOnTime: countWhere(ON_TIME),
      onTimeRate: fraction(countWhere(ON_TIME), countWhere(MET)),
      open: countWhere(`s.status IN ('ON_TRACK', 'DUE_SOON', 'OVERDUE')`),
      overdue: countWhere(`s.status = 'OVERDUE'`),
      dueSoon: countWhere(`s.status = 'DUE_SOON'`),
      medianDaysToMeet: roundedDays(`${PERCENTILES}[1]`),
      p90DaysToMeet: roundedDays(`${PERCENTILES}[2]`),
      metExcludingExceptions: countWhere(`${MET} AND NOT s.excepted`),
      metOnTimeExcludingExceptions: countWhere(`${ON_TIME} AND NOT s.excepted`),
    });
    return { data, groupBy, ...window };
  }
}
