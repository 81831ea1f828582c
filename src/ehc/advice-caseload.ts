/**
 * A PROVIDER's caseload through EHC advice: pupils their organisation has been asked for advice
 * about, while the advice is awaited and, once received (or no longer awaited), until the same
 * access window as allocations ends (API.md: "access ends 30 days (configurable) after the work
 * completes", PROVIDER_ACCESS_DAYS_AFTER_COMPLETION). A boolean SQL condition on the `pupil` alias
 * using :scope_organisationId and :scope_accessFrom (the first day whose completions still give
 * access), OR-ed into the pupil caseload by src/pupils/pupils.service.ts.
 */
export const ADVICE_CASELOAD_SQL =
  'EXISTS (SELECT 1 FROM advice_request ar_cl WHERE ar_cl.pupil_id = pupil.id AND ar_cl.organisation_id = :scope_organisationId ' +
  'AND (COALESCE(ar_cl.received_on, ar_cl.cancelled_on) IS NULL OR COALESCE(ar_cl.received_on, ar_cl.cancelled_on) >= :scope_accessFrom::date))';
