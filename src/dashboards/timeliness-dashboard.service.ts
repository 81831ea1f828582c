import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ScopeFilter } from '../access/scope-filter';
import { Clock } from '../common/clock/clock';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { deadlineExistsAsOfSql, deadlineScopeColumns, deadlineStatusSql } from '../timeliness/deadline-sql';
import { DashboardScopeService } from './dashboard-scope.service';
import { resolveDashboardWindow } from './dashboard-window';
import { type TimelinessDashboard, type TimelinessDashboardQueryDto, type TimelinessGroupBy, type TimelinessRow } from './dto/timeliness-dashboard.dto';

interface Grouping {
  id: string;
  name: string;
  /** The table holding the group's name, joined as `g`. */
  join?: { table: string; on: string };
  order: string;
}

/** How each groupBy groups deadlines and where its name comes from. */
const GROUPINGS: Record<TimelinessGroupBy, Grouping> = {
  locality: { id: 'd.locality_id', name: 'locality.name', order: 'locality.name' },
  school: { id: 'd.school_id', name: 'g.name', join: { table: 'school', on: 'g.id = d.school_id' }, order: 'g.name' },
  organisation: { id: 'd.organisation_id', name: 'g.name', join: { table: 'organisation', on: 'g.id = d.organisation_id' }, order: 'g.name' },
  kind: { id: 'd.kind', name: 'g.description', join: { table: 'sla_rule', on: 'g.kind = d.kind' }, order: 'd.kind' },
  month: { id: `to_char(d.due_on, 'YYYY-MM')`, name: `to_char(d.due_on, 'YYYY-MM')`, order: `to_char(d.due_on, 'YYYY-MM')` },
};

/**
 * GET /dashboards/timeliness: how deadlines of every kind are being met, per group, as of a date.
 * One SQL aggregate over `deadline` (ARCHITECTURE.md idea 1), so a workflow that opens deadlines
 * shows up here without a line of code. Definitions (API.md "Timeliness"):
 * - selected: dueOn in [from, to], and already started on asOf (later ones did not exist yet);
 * - status as of asOf by deadline_status: a meeting or cancellation after asOf had not happened;
 * - met / metOnTime / open / overdue / dueSoon count those statuses (open = unmet and uncancelled);
 * - onTimeRate = metOnTime / met, null when met = 0;
 * - median and p90 days to meet: percentile_cont of (metOn - startsOn) over the met ones;
 * - "excluding exceptions": the same counts without deadlines marked as exceptions.
 */
@Injectable()
export class TimelinessDashboardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scopes: DashboardScopeService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async compute(scope: ScopeFilter, query: TimelinessDashboardQueryDto): Promise<TimelinessDashboard> {
    const window = resolveDashboardWindow(query, this.clock.today());
    const groupBy = query.groupBy ?? 'locality';
    await this.scopes.assertPlaceInScope(scope, query);

    const group = GROUPINGS[groupBy];
    const status = deadlineStatusSql('d');
    const met = `${status} IN ('MET_ON_TIME', 'MET_LATE')`;
    const onTime = `${status} = 'MET_ON_TIME'`;
    const count = (condition: string) => `count(*) FILTER (WHERE ${condition})::int`;
    const days = 'd.met_on - d.starts_on';

    const qb = this.dataSource
      .createQueryBuilder()
      .select(group.id, 'groupId')
      .addSelect(group.name, 'groupName')
      .addSelect(count(met), 'met')
      .addSelect(count(onTime), 'metOnTime')
      .addSelect(`CASE WHEN ${count(met)} = 0 THEN NULL ELSE ${count(onTime)}::float8 / ${count(met)} END`, 'onTimeRate')
      .addSelect(count(`${status} IN ('ON_TRACK', 'DUE_SOON', 'OVERDUE')`), 'open')
      .addSelect(count(`${status} = 'OVERDUE'`), 'overdue')
      .addSelect(count(`${status} = 'DUE_SOON'`), 'dueSoon')
      .addSelect(`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${days}) FILTER (WHERE ${met})`, 'medianDaysToMeet')
      .addSelect(`percentile_cont(0.9) WITHIN GROUP (ORDER BY ${days}) FILTER (WHERE ${met})`, 'p90DaysToMeet')
      .addSelect(count(`${met} AND NOT d.excepted`), 'metExcludingExceptions')
      .addSelect(count(`${onTime} AND NOT d.excepted`), 'metOnTimeExcludingExceptions')
      .from('deadline', 'd')
      .leftJoin('locality', 'locality', 'locality.id = d.locality_id')
      .where(deadlineExistsAsOfSql('d'))
      .andWhere('d.due_on BETWEEN :from::date AND :to::date')
      .setParameters({ asOf: window.asOf, from: window.from, to: window.to, dueSoon: this.config.dueSoonDays });
    if (group.join) qb.leftJoin(group.join.table, 'g', group.join.on);
    this.scopes.restrict(qb, scope, query, deadlineScopeColumns('d', 'locality'));
    if (query.kind) qb.andWhere('d.kind = :kind', { kind: query.kind });
    qb.groupBy(group.id).addGroupBy(group.name).orderBy(group.order, 'ASC', 'NULLS LAST').addOrderBy(group.id, 'ASC', 'NULLS LAST');

    const data = await qb.getRawMany<TimelinessRow>();
    return { data, groupBy, ...window };
  }
}
