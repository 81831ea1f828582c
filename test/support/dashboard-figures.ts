/**
 * The dashboards' rounding (README "Dashboards"), worked independently in the tests from whole
 * numbers, so an expected figure is exact: rates are part / whole to 4 decimals (null when whole =
 * 0), days and weeks to 1 decimal. Halves round up, as PostgreSQL's round(numeric) does for the
 * non-negative figures the dashboards give.
 */
export const rate = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part * 1e4) / whole) / 1e4);

/** numerator / denominator (days, or days for weeks with denominator 7 × n) to 1 decimal. */
export const oneDecimal = (numerator: number, denominator = 1): number => Math.round((numerator * 10) / denominator) / 10;
