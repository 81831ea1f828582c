import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { type CalendarDate } from '../common/dates/calendar-date';
import { type DashboardWindow, resolveDashboardWindow } from './dashboard-window';

/** How a dashboard groups its records: the key column of the selected rows and where the group's name comes from. */
export interface Grouping {
  /** SQL of the group key over the selected record (text keys collated "C": it only has to group). */
  key: string;
  /** The group's name from `a."groupId"`, with the table joined as `g`. */
  name: string;
  join?: string;
  order: string;
}

export const placeGrouping = (table: 'locality' | 'school' | 'organisation', key: string): Grouping => ({
  key,
  name: 'g.name',
  join: `${table} g ON g.id = a."groupId"`,
  order: 'g.name',
});

export const monthGrouping = (date: string): Grouping => ({ key: `to_char(${date}, 'YYYY-MM') COLLATE "C"`, name: 'a."groupId"', order: 'a."groupId"' });

/**
 * Runs one grouped aggregate: `selected` yields one row per record with its group key as `key`
 * (behind an OFFSET 0 fence, so each record's derived values are computed once); `aggregates` are
 * the per-group select expressions over `s`. Group names are joined afterwards. All in SQL, on
 * `db` (a dashboard's readOnReplica manager).
 */
export async function groupedAggregate<T>(
  db: EntityManager,
  selected: SelectQueryBuilder<ObjectLiteral> | [string, unknown[]],
  grouping: Grouping,
  aggregates: Record<string, string>,
): Promise<T[]> {
  const [sql, parameters] = Array.isArray(selected) ? selected : selected.getQueryAndParameters();
  const fields = Object.keys(aggregates);
  return db.query(
    `SELECT a."groupId", ${grouping.name} AS "groupName", ${fields.map((f) => `a."${f}"`).join(', ')}
       FROM (
         SELECT s.key AS "groupId", ${fields.map((f) => `${aggregates[f]} AS "${f}"`).join(', ')}
           FROM (${sql} OFFSET 0) s
          GROUP BY s.key
       ) a
       ${grouping.join ? `LEFT JOIN ${grouping.join}` : ''}
      ORDER BY ${grouping.order} ASC NULLS LAST, a."groupId" ASC NULLS LAST`,
    parameters,
  );
}

/**
 * Several record sources as one selected set (UNION ALL of query builders sharing parameter
 * names), ready for groupedAggregate: each must select the same columns in the same order.
 */
export function unionAll(db: EntityManager, parts: SelectQueryBuilder<ObjectLiteral>[]): [string, unknown[]] {
  const sql = parts.map((part) => `(${part.getQuery()})`).join(' UNION ALL ');
  const parameters = Object.assign({}, ...parts.map((part) => part.getParameters()));
  return db.connection.driver.escapeQueryWithParameters(sql, parameters) as [string, unknown[]];
}

export const countWhere = (condition: string) => `count(*) FILTER (WHERE ${condition})::int`;

/**
 * How the dashboards round (README "Dashboards", one rule for all): rates are fractions 0..1 to 4
 * decimals (a percentage to 2, finer than DfE's 1-decimal tables); days and weeks to 1 decimal.
 * percentile_cont of whole days is always a multiple of 0.1, so rounding it only removes float noise.
 * Rounded in numeric (half away from zero), answered as a JSON number.
 */
export const RATE_DECIMALS = 4;
export const DAYS_DECIMALS = 1;
export const roundedTo = (expression: string, decimals: number) => `round((${expression})::numeric, ${decimals})::float8`;
/** part / whole as a fraction 0..1 (RATE_DECIMALS), null when whole = 0. */
export const fraction = (part: string, whole: string) =>
  `CASE WHEN ${whole} = 0 THEN NULL ELSE ${roundedTo(`(${part})::numeric / (${whole})`, RATE_DECIMALS)} END`;
/** A number of days (a median, percentile or mean), to DAYS_DECIMALS. */
export const roundedDays = (expression: string) => roundedTo(expression, DAYS_DECIMALS);

/**
 * The window of a calendar-year dashboard (DfE publishes these figures by calendar year): by
 * default the calendar year of asOf; only `from` given: to the end of from's year; only `to`:
 * from the start of to's year. Same checks as every dashboard (from after to, over 10 years: 400).
 */
export function resolveCalendarYearWindow(input: { from?: CalendarDate; to?: CalendarDate; asOf?: CalendarDate }, today: CalendarDate): DashboardWindow {
  const asOf = input.asOf ?? today;
  const year = (d: CalendarDate) => d.slice(0, 4);
  const from = input.from ?? `${year(input.to ?? asOf)}-01-01`;
  const to = input.to ?? `${year(input.from ?? asOf)}-12-31`;
  return resolveDashboardWindow({ from, to, asOf }, today);
}
