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
import { fraction, roundedDays } from './grouped-aggregate';

interface Grouping {
  /** The group key of a deadline `d` (byte-wise collation where text: it only has to group). */
  key: string;
  /** The group's name from its key `a."groupId"`, and the table it comes from (joined as `g`). */
  name: string;
  join?: string;
  order: string;
}

/** How each groupBy groups deadlines and where its name comes from. */
const GROUPINGS: Record<TimelinessGroupBy, Grouping> = {
  locality: { key: 'd.locality_id', name: 'g.name', join: 'locality g ON g.id = a."groupId"', order: 'g.name' },
  school: { key: 'd.school_id', name: 'g.name', join: 'school g ON g.id = a."groupId"', order: 'g.name' },
  organisation: { key: 'd.organisation_id', name: 'g.name', join: 'organisation g ON g.id = a."groupId"', order: 'g.name' },
  kind: { key: 'd.kind COLLATE "C"', name: 'g.description', join: 'sla_rule g ON g.kind = a."groupId"', order: 'a."groupId"' },
  month: { key: `to_char(d.due_on, 'YYYY-MM') COLLATE "C"`, name: 'a."groupId"', order: 'a."groupId"' },
};

const MET = `s.status IN ('MET_ON_TIME', 'MET_LATE')`;
const ON_TIME = `s.status = 'MET_ON_TIME'`;
const count = (condition: string) => `count(*) FILTER (WHERE ${condition})::int`;
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
 * Shape (bench/dashboard-timeliness.ts): the inner query, behind an OFFSET 0 fence, derives each
 * selected deadline's status once; the aggregate groups by the bare key; names are joined to the
 * groups afterwards, not carried through the sort. Read on a replica when there is one.
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
    const [selectedSql, parameters] = selected.getQueryAndParameters();

    const data: TimelinessRow[] = await db.query(
      `SELECT a."groupId", ${group.name} AS "groupName", a.met, a."metOnTime", a."onTimeRate", a.open, a.overdue, a."dueSoon",
              a."medianDaysToMeet", a."p90DaysToMeet", a."metExcludingExceptions", a."metOnTimeExcludingExceptions"
         FROM (
           SELECT s.key AS "groupId",
                  ${count(MET)} AS met,
                  ${count(ON_TIME)} AS "metOnTime",
                  ${fraction(count(ON_TIME), count(MET))} AS "onTimeRate",
                  ${count(`s.status IN ('ON_TRACK', 'DUE_SOON', 'OVERDUE')`)} AS open,
                  ${count(`s.status = 'OVERDUE'`)} AS overdue,
                  ${count(`s.status = 'DUE_SOON'`)} AS "dueSoon",
                  ${roundedDays(`${PERCENTILES}[1]`)} AS "medianDaysToMeet",
                  ${roundedDays(`${PERCENTILES}[2]`)} AS "p90DaysToMeet",
                  ${count(`${MET} AND NOT s.excepted`)} AS "metExcludingExceptions",
                  ${count(`${ON_TIME} AND NOT s.excepted`)} AS "metOnTimeExcludingExceptions"
             FROM (${selectedSql} OFFSET 0) s
            GROUP BY s.key
         ) a
         ${group.join ? `LEFT JOIN ${group.join}` : ''}
        ORDER BY ${group.order} ASC NULLS LAST, a."groupId" ASC NULLS LAST`,
      parameters,
    );
    return { data, groupBy, ...window };
  }
}
