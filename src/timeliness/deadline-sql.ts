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
 */
export function deadlinesOpenAsOfSql(): string {
  return `(SELECT * FROM deadline WHERE met_on IS NULL AND cancelled_on IS NULL
    UNION ALL SELECT * FROM deadline WHERE met_on > :asOf::date OR cancelled_on > :asOf::date)`;
}
