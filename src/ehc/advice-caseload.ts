/**
 * How long a provider keeps seeing a pupil after their advice is in (or no longer awaited):
 * API.md "access ends 30 days (configurable) after the work completes".
 */
export const ADVICE_ACCESS_DAYS = 30;

/**
 * A PROVIDER's caseload through EHC advice: pupils their organisation has been asked for advice
 * about, while the advice is awaited and for ADVICE_ACCESS_DAYS days after it was received (or
 * the request was cancelled). A boolean SQL condition on the `pupil` alias using
 * :scope_organisationId, for `ScopeColumns.caseload` (OR it with the allocations caseload).
 * "Today" is the Europe/London date, as the app's Clock gives it.
 */
export const ADVICE_CASELOAD_SQL =
  'EXISTS (SELECT 1 FROM advice_request ar_cl WHERE ar_cl.pupil_id = pupil.id AND ar_cl.organisation_id = :scope_organisationId ' +
  'AND (COALESCE(ar_cl.received_on, ar_cl.cancelled_on) IS NULL ' +
  `OR COALESCE(ar_cl.received_on, ar_cl.cancelled_on) >= (now() AT TIME ZONE 'Europe/London')::date - ${ADVICE_ACCESS_DAYS}))`;
