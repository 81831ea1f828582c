/**
 * The windows a manager picks (a month, a school term, an academic year, a calendar year as in DfE's
 * EHC tables, or the 12 months to the as-of month), turned into the API's `from` and `to` (inclusive calendar dates, YYYY-MM-DD).
 * Pure functions over date strings: no time zones involved once "today" is known.
 */
export type WindowKind = 'rolling' | 'month' | 'term' | 'year' | 'calendar';
export const WINDOW_KINDS: readonly WindowKind[] = ['rolling', 'month', 'term', 'year', 'calendar'];

export interface Period {
  value: string;
  label: string;
  from: string;
  to: string;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Terms as fixed dates (school term dates differ year to year; these cover the year without gaps). */
const TERMS = [
  { key: 'autumn', name: 'Autumn', first: 9, last: 12 },
  { key: 'spring', name: 'Spring', first: 1, last: 3 },
  { key: 'summer', name: 'Summer', first: 4, last: 8 },
] as const;

const pad = (n: number) => String(n).padStart(2, '0');
export const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
export const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return m >= 1 && m <= 12 && d >= 1 && d <= lastDay(y, m);
}

/** Month arithmetic on (year, month 1..12). */
function shift(y: number, m: number, months: number): [number, number] {
  const index = y * 12 + (m - 1) + months;
  return [Math.floor(index / 12), (index % 12) + 1];
}

function readable(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[m - 1].slice(0, 3)} ${y}`;
}

export function describePeriod(period: Period): string {
  return `${readable(period.from)} to ${readable(period.to)}`;
}

/** The periods to offer for a kind of window, newest (the one holding asOf) first. */
export function periodsFor(kind: WindowKind, asOf: string): Period[] {
  const [y, m] = asOf.split('-').map(Number);
  const periods: Period[] = [];
  switch (kind) {
    case 'rolling': {
      const [fy, fm] = shift(y, m, -11);
      periods.push({ value: 'rolling', label: `12 months to ${MONTHS[m - 1]} ${y}`, from: ymd(fy, fm, 1), to: ymd(y, m, lastDay(y, m)) });
      break;
    }
    case 'month':
      for (let i = 0; i < 24; i++) {
        const [py, pm] = shift(y, m, -i);
        periods.push({ value: `${py}-${pad(pm)}`, label: `${MONTHS[pm - 1]} ${py}`, from: ymd(py, pm, 1), to: ymd(py, pm, lastDay(py, pm)) });
      }
      break;
    case 'term': {
      // The term holding asOf, then back through the five before it.
      let termIndex = TERMS.findIndex((t) => m >= t.first && m <= t.last);
      let termYear = y;
      for (let i = 0; i < 6; i++) {
        const term = TERMS[termIndex];
        const academic = term.key === 'autumn' ? termYear : termYear - 1;
        periods.push({
          value: `${termYear}-${term.key}`,
          label: `${term.name} term ${termYear} (${academic}/${pad((academic + 1) % 100)})`,
          from: ymd(termYear, term.first, 1),
          to: ymd(termYear, term.last, lastDay(termYear, term.last)),
        });
        // Autumn comes after summer of the same year; spring follows autumn of the year before.
        if (term.key === 'spring') termYear -= 1;
        termIndex = (termIndex + TERMS.length - 1) % TERMS.length;
      }
      break;
    }
    case 'year': {
      const start = m >= 9 ? y : y - 1;
      for (let i = 0; i < 4; i++) {
        const first = start - i;
        periods.push({ value: `${first}`, label: `Academic year ${first}/${pad((first + 1) % 100)}`, from: ymd(first, 9, 1), to: ymd(first + 1, 8, 31) });
      }
      break;
    }
    case 'calendar':
      for (let i = 0; i < 4; i++) {
        periods.push({ value: `${y - i}`, label: `Calendar year ${y - i}`, from: ymd(y - i, 1, 1), to: ymd(y - i, 12, 31) });
      }
      break;
  }
  return periods;
}

/** Today in England (the API's calendar), as YYYY-MM-DD. */
export function londonToday(now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
