import type { ScopeColumns } from '../access/scope-filter';

/**
 * The SQL pieces every read of the `deadline` table shares (GET /deadlines, the dashboards and
 * worklists), so status "as of a date" is defined once: by the SQL function deadline_status
 * (migration Timeliness1764330000000, the same rule as deadline-rules.ts deadlineStatus).
 * They expect the parameters :asOf (a 'YYYY-MM-DD' date) and :dueSoon (days).
 */

/** A deadline's status as of :asOf. */
export function deadlineStatusSql(d = 'd'): string {
  return `deadline_status(${d}.met_on, ${d}.cancelled_on, ${d}.due_on, :asOf::date, :dueSoon)`;
}

/** A deadline exists on :asOf once its clock has started: later ones had not been opened yet. */
export function deadlineExistsAsOfSql(d = 'd'): string {
  return `${d}.starts_on <= :asOf::date`;
}

/** The scope columns of a deadline, with `locality` an alias of its locality row (for area). */
export function deadlineScopeColumns(d = 'd', locality = 'locality'): ScopeColumns {
  return { schoolId: `${d}.school_id`, localityId: `${d}.locality_id`, area: `${locality}.area`, organisationId: `${d}.organisation_id` };
}

/**
 * The deadlines not yet met or cancelled on :asOf, as a FROM item: those open now, and those met
 * or cancelled only after :asOf. Two branches, so PostgreSQL reads each from a small index
 * (migration DashboardIndexes1764410000000) instead of walking every closed deadline by due date.
 * Each branch is ordered by (due_on, id), the lists' default order: a branch with a WHERE clause
 * stays a subquery, planned on its own, and without its own ORDER BY it came back unordered, so
 * the first page of overdue deadlines sorted all of them (1.2-5.7 s at N = 1, bench/EXPLAIN-N1.md).
 * Ordered, the open branch is an index-only scan of deadline_open_due_idx (migration
 * DeadlineCoveringIndexes1764510000000) that a Merge Append stops reading after one page.
 */
export function deadlinesOpenAsOfSql(): string {
  return `((SELECT * FROM deadline WHERE met_on IS NULL AND cancelled_on IS NULL ORDER BY due_on, id)
    UNION ALL (SELECT * FROM deadline WHERE met_on > :asOf::date OR cancelled_on > :asOf::date ORDER BY due_on, id))`;
}

/** The statuses of a deadline not yet met or cancelled, in due-date order: each a range of due_on. */
export const OPEN_STATUSES = ['OVERDUE', 'DUE_SOON', 'ON_TRACK'] as const;
export type OpenStatus = (typeof OPEN_STATUSES)[number];

const DUE_RANGE: Record<OpenStatus, { from?: string; to?: string }> = {
  OVERDUE: { to: `< :asOf::date` },
  DUE_SOON: { from: `>= :asOf::date`, to: `<= :asOf::date + :dueSoon::int` },
  ON_TRACK: { from: `> :asOf::date + :dueSoon::int` },
};

export const isOpenStatus = (status: string): status is OpenStatus => (OPEN_STATUSES as readonly string[]).includes(status);

/**
 * The due dates an open deadline with one of these statuses can have on :asOf (implied by
 * deadline_status, which still decides), spelled out so PostgreSQL can range-scan due_on.
 */
export function openStatusDueRangeSql(statuses: readonly OpenStatus[], d = 'd'): string {
  const ordered = OPEN_STATUSES.filter((status) => statuses.includes(status));
  const from = DUE_RANGE[ordered[0]].from;
  const to = DUE_RANGE[ordered[ordered.length - 1]].to;
  return [from && `${d}.due_on ${from}`, to && `${d}.due_on ${to}`].filter(Boolean).join(' AND ') || 'true';
}
