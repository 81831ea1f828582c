/**
 * The timeliness dashboard page: sign in, choose a window, an as-of date and a locality, and read
 * every figure from the API with the signed-in user's token (scope rules apply unchanged: a
 * locality the user may not see answers 404, shown as a message with no data).
 */
import { ApiError, describeProblem, fetchCsv, getJson, login, type Query, saveFile, session, whenUnauthenticated } from './api';
import { COLOURS, clearChart, dots, drawChart, hatch, targetLine } from './charts';
import { type Column, clearTable, number, percent, renderTable, type Row, text } from './tables';
import { describePeriod, isCalendarDate, londonToday, type Period, periodsFor, WINDOW_KINDS, type WindowKind } from './windows';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
};

interface Me {
  id: string;
  email: string;
  name: string;
  role: string;
  schoolId: string | null;
  localityId: string | null;
  area: string | null;
  organisationId: string | null;
}
interface Locality {
  id: string;
  code: string;
  name: string;
  area: string;
  district: string;
}
interface School {
  id: string;
  name: string;
  localityId: string;
}
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
interface Dashboard {
  data: Row[];
}
interface WorklistRow {
  deadlineId: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  schoolName: string | null;
  localityName: string | null;
  organisationName: string | null;
  startsOn: string;
  dueOn: string;
  daysOverdue: number;
  daysUntilDue: number;
  status: 'OVERDUE' | 'DUE_SOON';
  excepted: boolean;
}

type ViewKey = 'ehc20' | 'requests' | 'kinds' | 'localityModel' | 'ehcRequests' | 'annualReviews' | 'worklist';

const state = {
  me: null as Me | null,
  /** The localities this user may choose (theirs, their area's, or the county's). */
  localities: [] as Locality[],
  schools: [] as School[],
  kindNames: new Map<string, string>(),
  filters: { window: 'rolling' as WindowKind, period: 'rolling', asOf: londonToday(), localityId: '' },
  periods: [] as Period[],
  worklist: { status: '', kind: '', schoolId: '', sort: '-daysOverdue', cursor: null as string | null },
  loading: null as AbortController | null,
  worklistLoading: null as AbortController | null,
};

// ---------------------------------------------------------------- the window and the query

function currentPeriod(): Period {
  return state.periods.find((p) => p.value === state.filters.period) ?? state.periods[0];
}

function windowQuery(): Query {
  const period = currentPeriod();
  return { from: period.from, to: period.to, asOf: state.filters.asOf, localityId: state.filters.localityId };
}

function viewRequest(view: ViewKey): { path: string; query: Query; name: string; pages: number } {
  const period = currentPeriod();
  const place = state.filters.localityId ? `_${state.localities.find((l) => l.id === state.filters.localityId)?.code ?? 'locality'}` : '';
  const suffix = `${place}_${period.from}_${period.to}_as-of-${state.filters.asOf}.csv`;
  switch (view) {
    case 'ehc20':
      return { path: '/dashboards/ehc-20-week', query: { ...windowQuery(), groupBy: 'month' }, name: `ehc-20-week${suffix}`, pages: 1 };
    case 'requests':
      return { path: '/dashboards/timeliness', query: { ...windowQuery(), groupBy: 'month', kind: 'REQUEST_DECISION' }, name: `request-decisions${suffix}`, pages: 1 };
    case 'kinds':
      return { path: '/dashboards/timeliness', query: { ...windowQuery(), groupBy: 'kind' }, name: `deadlines-by-kind${suffix}`, pages: 1 };
    case 'localityModel':
      return { path: '/dashboards/locality-model', query: { ...windowQuery(), groupBy: 'locality' }, name: `locality-model${suffix}`, pages: 1 };
    case 'ehcRequests':
      return { path: '/dashboards/ehc-requests', query: { ...windowQuery(), groupBy: 'month' }, name: `ehc-requests${suffix}`, pages: 1 };
    case 'annualReviews':
      return { path: '/dashboards/annual-reviews', query: { ...windowQuery(), groupBy: 'month' }, name: `annual-reviews${suffix}`, pages: 1 };
    case 'worklist': {
      const { status, kind, schoolId, sort } = state.worklist;
      return {
        path: '/dashboards/overdue',
        query: { asOf: state.filters.asOf, localityId: state.filters.localityId, status, kind, schoolId, sort, limit: 500 },
        name: `overdue-worklist${place}_as-of-${state.filters.asOf}.csv`,
        pages: 20,
      };
    }
  }
}

/** Filters travel in the page's own query string (shareable); the token never does. */
function readUrl(): void {
  const params = new URLSearchParams(location.search);
  const kind = params.get('window') as WindowKind | null;
  if (kind && WINDOW_KINDS.includes(kind)) state.filters.window = kind;
  const asOf = params.get('asOf');
  if (asOf && isCalendarDate(asOf)) state.filters.asOf = asOf;
  state.periods = periodsFor(state.filters.window, state.filters.asOf);
  const period = params.get('period');
  state.filters.period = period && state.periods.some((p) => p.value === period) ? period : state.periods[0].value;
  state.filters.localityId = params.get('localityId') ?? '';
}

function writeUrl(): void {
  const params = new URLSearchParams();
  params.set('window', state.filters.window);
  if (state.filters.window !== 'rolling') params.set('period', state.filters.period);
  params.set('asOf', state.filters.asOf);
  if (state.filters.localityId) params.set('localityId', state.filters.localityId);
  history.replaceState(null, '', `${location.pathname}?${params.toString()}`);
}

// ---------------------------------------------------------------- panels

const PANELS = ['panel-ehc20', 'panel-requests', 'panel-kinds', 'panel-first-session', 'panel-units', 'panel-ehc-requests', 'panel-annual-reviews', 'panel-worklist'];

function panelStatus(panelId: string, message: string, kind: 'loading' | 'error' | 'empty' | 'unavailable' | 'ok'): void {
  const panel = $(panelId);
  const status = panel.querySelector<HTMLElement>('.panel-status');
  if (!status) return;
  status.textContent = message;
  status.dataset.state = kind;
  status.hidden = message === '';
  panel.setAttribute('aria-busy', String(kind === 'loading'));
}

function clearPanel(panelId: string): void {
  const panel = $(panelId);
  panel.querySelectorAll('canvas').forEach((canvas) => clearChart(canvas));
  panel.querySelectorAll<HTMLTableElement>('table.figures:not(.worklist)').forEach((table) => clearTable(table));
}

function clearAll(message: string, kind: 'loading' | 'error' | 'empty'): void {
  for (const id of PANELS) {
    clearPanel(id);
    panelStatus(id, message, kind);
  }
  clearWorklist();
}

function showPageAlert(message: string | null): void {
  const alert = $('page-alert');
  alert.textContent = message ?? '';
  alert.hidden = !message;
}

function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return describeProblem(0, { title: error instanceof Error ? error.message : 'Something went wrong' });
}

const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

const rowsOf = (dashboard: Dashboard) => (Array.isArray(dashboard?.data) ? dashboard.data : []);
const label = (row: Row) => String(row.groupName ?? row.groupId ?? 'None');
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const pct = (value: unknown): number | null => (num(value) === null ? null : Math.round((value as number) * 1000) / 10);
const kindName = (kind: unknown) => state.kindNames.get(String(kind)) ?? shortKind(kind);
/** REQUEST_DECISION -> "Request decision" (chart axes; tables carry the rule's description). */
const shortKind = (kind: unknown) => {
  const words = String(kind).toLowerCase().replace(/_/g, ' ').replace(/\behc\b/g, 'EHC');
  return words.charAt(0).toUpperCase() + words.slice(1);
};
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "2026-08" -> "Aug 2026" on chart axes (tables keep the API's YYYY-MM). */
const monthLabel = (row: Row) => {
  const match = /^(\d{4})-(\d{2})$/.exec(label(row));
  return match ? `${MONTH_NAMES[Number(match[2]) - 1]} ${match[1]}` : label(row);
};

function renderEhc20(dashboard: Dashboard): void {
  const rows = rowsOf(dashboard);
  const canvas = $<HTMLCanvasElement>('ehc20-chart');
  const table = $<HTMLTableElement>('ehc20-table');
  if (rows.length === 0) {
    clearChart(canvas);
    clearTable(table);
    panelStatus('panel-ehc20', 'No final EHC plans were issued in this window.', 'empty');
    return;
  }
  panelStatus('panel-ehc20', '', 'ok');
  const labels = rows.map(monthLabel);
  drawChart(
    canvas,
    {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'Within 20 weeks (all plans)',
            data: rows.map((r) => pct(r.rate)),
            borderColor: COLOURS.blue,
            backgroundColor: COLOURS.blue,
            pointStyle: 'circle',
            pointRadius: 5,
            borderWidth: 3,
          },
          {
            label: 'Within 20 weeks (excluding exceptions)',
            data: rows.map((r) => pct(r.rateExcludingExceptions)),
            borderColor: COLOURS.orange,
            backgroundColor: COLOURS.orange,
            pointStyle: 'triangle',
            pointRadius: 6,
            borderDash: [8, 5],
            borderWidth: 2,
          },
          targetLine('Target 80%', 80, labels.length),
        ],
      },
      options: {
        scales: {
          y: { min: 0, max: 100, title: { display: true, text: 'Plans issued within 20 weeks (%)' }, ticks: { callback: (v) => `${v}%` } },
          x: { title: { display: true, text: 'Month of issue' } },
        },
        plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.parsed.y ?? 'n/a'}%` } } },
      },
    },
    `Line chart: EHC plans issued within 20 weeks by month against the 80% target. ` +
      rows.map((r) => `${label(r)}: ${percent(r.rate)} of ${number(r.issued)} issued, ${percent(r.rateExcludingExceptions)} excluding exceptions`).join('; ') +
      '.',
  );
  const against = (value: unknown) => (num(value) === null ? 'n/a' : (value as number) >= 0.8 ? 'Meets 80%' : 'Below 80%');
  renderTable(table, 'EHC plans issued within 20 weeks, by month of issue', [
    { key: 'groupName', label: 'Month' },
    { key: 'issued', label: 'Issued', numeric: true, format: number },
    { key: 'within20Weeks', label: 'Within 20 weeks', numeric: true, format: number },
    { key: 'within20To52Weeks', label: '20 to 52 weeks', numeric: true, format: number },
    { key: 'over52Weeks', label: 'Over 52 weeks', numeric: true, format: number },
    { key: 'meanWeeksToIssue', label: 'Mean weeks to issue', numeric: true, format: number },
    { key: 'rate', label: 'Rate', numeric: true, format: percent },
    { key: 'issuedExcludingExceptions', label: 'Issued (excl. exceptions)', numeric: true, format: number },
    { key: 'within20WeeksExcludingExceptions', label: 'Within 20 weeks (excl. exceptions)', numeric: true, format: number },
    { key: 'rateExcludingExceptions', label: 'Rate (excl. exceptions)', numeric: true, format: percent },
    { key: 'againstTarget', label: 'Against target', format: (_, row) => against(row.rate) },
  ], rows);
}

function renderRequests(dashboard: Dashboard): void {
  const rows = rowsOf(dashboard);
  const canvas = $<HTMLCanvasElement>('requests-chart');
  const table = $<HTMLTableElement>('requests-table');
  if (rows.length === 0) {
    clearChart(canvas);
    clearTable(table);
    panelStatus('panel-requests', 'No support request decisions were due in this window.', 'empty');
    return;
  }
  panelStatus('panel-requests', '', 'ok');
  drawChart(
    canvas,
    {
      type: 'bar',
      data: {
        labels: rows.map(monthLabel),
        datasets: [
          {
            label: 'Decided on time (% of decisions made)',
            data: rows.map((r) => pct(r.onTimeRate)),
            backgroundColor: hatch(COLOURS.blue, '#e8f1f8'),
            borderColor: COLOURS.blue,
            borderWidth: 2,
            pointStyle: 'rect',
          },
        ],
      },
      options: {
        scales: {
          y: { min: 0, max: 100, title: { display: true, text: 'Decided on time (%)' }, ticks: { callback: (v) => `${v}%` } },
          x: { title: { display: true, text: 'Month due' } },
        },
      },
    },
    'Bar chart: support request decisions made on time, by month due. ' +
      rows.map((r) => `${label(r)}: ${percent(r.onTimeRate)} of ${number(r.met)} decided, ${number(r.overdue)} overdue`).join('; ') +
      '.',
  );
  renderTable(table, 'Support request decisions, by month due', [
    { key: 'groupName', label: 'Month' },
    { key: 'met', label: 'Decided', numeric: true, format: number },
    { key: 'metOnTime', label: 'On time', numeric: true, format: number },
    { key: 'onTimeRate', label: 'On-time rate', numeric: true, format: percent },
    { key: 'open', label: 'Open', numeric: true, format: number },
    { key: 'overdue', label: 'Overdue', numeric: true, format: number },
    { key: 'medianDaysToMeet', label: 'Median days', numeric: true, format: number },
    { key: 'p90DaysToMeet', label: '90th percentile days', numeric: true, format: number },
  ], rows);
}

function renderKinds(dashboard: Dashboard): void {
  const rows = rowsOf(dashboard);
  const canvas = $<HTMLCanvasElement>('kinds-chart');
  const table = $<HTMLTableElement>('kinds-table');
  if (rows.length === 0) {
    clearChart(canvas);
    clearTable(table);
    panelStatus('panel-kinds', 'No deadlines are due in this window.', 'empty');
    return;
  }
  panelStatus('panel-kinds', '', 'ok');
  const labels = rows.map((r) => shortKind(r.groupId));
  drawChart(
    canvas,
    {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'Overdue', data: rows.map((r) => num(r.overdue)), backgroundColor: hatch(COLOURS.orange, '#fbe9e0'), borderColor: COLOURS.orange, borderWidth: 2, pointStyle: 'rect' },
          { label: 'Due soon', data: rows.map((r) => num(r.dueSoon)), backgroundColor: dots('#8a5a00', '#fdf1d6'), borderColor: COLOURS.amber, borderWidth: 2, pointStyle: 'rectRot' },
        ],
      },
      options: {
        indexAxis: 'y',
        scales: { x: { stacked: true, beginAtZero: true, title: { display: true, text: 'Open deadlines' }, ticks: { precision: 0 } }, y: { stacked: true } },
      },
    },
    'Bar chart: overdue and due-soon deadlines by kind. ' + rows.map((r, i) => `${labels[i]}: ${number(r.overdue)} overdue, ${number(r.dueSoon)} due soon`).join('; ') + '.',
  );
  renderTable(table, 'Deadlines due in the window, by kind', [
    { key: 'groupName', label: 'Kind', format: (value, row) => text(value ?? row.groupId) },
    { key: 'overdue', label: 'Overdue', numeric: true, format: number },
    { key: 'dueSoon', label: 'Due soon', numeric: true, format: number },
    { key: 'open', label: 'Open', numeric: true, format: number },
    { key: 'met', label: 'Met', numeric: true, format: number },
    { key: 'onTimeRate', label: 'On-time rate', numeric: true, format: percent },
  ], rows);
}

/** Figures per locality from GET /dashboards/locality-model (API.md "Timeliness"). */
function renderLocalityModel(dashboard: Dashboard): void {
  const rows = rowsOf(dashboard);
  if (rows.length === 0) {
    for (const id of ['panel-first-session', 'panel-units']) {
      clearPanel(id);
      panelStatus(id, 'No support requests or allocations in this window.', 'empty');
    }
    return;
  }
  const labels = rows.map(label);

  panelStatus('panel-first-session', '', 'ok');
  drawChart(
    $<HTMLCanvasElement>('first-session-chart'),
    {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'Median days to acceptance', data: rows.map((r) => num(r.medianDaysToAcceptance)), backgroundColor: COLOURS.blue, borderColor: COLOURS.blue, borderWidth: 2, pointStyle: 'rect' },
          { label: 'Median days to first session', data: rows.map((r) => num(r.medianDaysToFirstSession)), backgroundColor: hatch(COLOURS.green, '#e2f4ee'), borderColor: COLOURS.green, borderWidth: 2, pointStyle: 'rectRot' },
        ],
      },
      options: { indexAxis: 'y', scales: { x: { beginAtZero: true, title: { display: true, text: 'Median days from the allocation' } } } },
    },
    'Bar chart: median days from allocation to acceptance and to first session, by locality. ' +
      rows.map((r) => `${label(r)}: ${number(r.medianDaysToAcceptance)} days to acceptance, ${number(r.medianDaysToFirstSession)} to first session`).join('; ') + '.',
  );
  renderTable($<HTMLTableElement>('first-session-table'), 'Allocations offered in the window, by locality', [
    { key: 'groupName', label: 'Locality' },
    { key: 'allocationsMade', label: 'Allocations', numeric: true, format: number },
    { key: 'allocationsAccepted', label: 'Accepted', numeric: true, format: number },
    { key: 'medianDaysToAcceptance', label: 'Median days to acceptance', numeric: true, format: number },
    { key: 'medianDaysToFirstSession', label: 'Median days to first session', numeric: true, format: number },
  ], rows);

  panelStatus('panel-units', '', 'ok');
  drawChart(
    $<HTMLCanvasElement>('units-chart'),
    {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'Units allocated', data: rows.map((r) => num(r.unitsAllocated)), backgroundColor: COLOURS.blue, borderColor: COLOURS.blue, borderWidth: 2, pointStyle: 'rect' },
          { label: 'Units used', data: rows.map((r) => num(r.unitsUsed)), backgroundColor: hatch(COLOURS.orange, '#fbe9e0'), borderColor: COLOURS.orange, borderWidth: 2, pointStyle: 'rectRot' },
        ],
      },
      options: { indexAxis: 'y', scales: { x: { beginAtZero: true, title: { display: true, text: 'Units (each service in its own unit)' } } } },
    },
    'Bar chart: units allocated and used, by locality. ' +
      rows.map((r) => `${label(r)}: ${number(r.unitsAllocated)} allocated, ${number(r.unitsUsed)} used (${percent(r.utilisation)})`).join('; ') + '.',
  );
  renderTable($<HTMLTableElement>('units-table'), 'Units of the allocations offered in the window, by locality', [
    { key: 'groupName', label: 'Locality' },
    { key: 'unitsAllocated', label: 'Units allocated', numeric: true, format: number },
    { key: 'unitsUsed', label: 'Units used', numeric: true, format: number },
    { key: 'utilisation', label: 'Used', numeric: true, format: percent },
  ], rows);
}

function renderTableOnly(panelId: string, tableId: string, caption: string, empty: string, columns: Column[]) {
  return (dashboard: Dashboard) => {
    const rows = rowsOf(dashboard);
    const table = $<HTMLTableElement>(tableId);
    if (rows.length === 0) {
      clearTable(table);
      panelStatus(panelId, empty, 'empty');
      return;
    }
    panelStatus(panelId, '', 'ok');
    renderTable(table, caption, columns, rows);
  };
}

const renderEhcRequests = renderTableOnly('panel-ehc-requests', 'ehc-requests-table', 'EHC needs assessment requests, by month received', 'No EHC needs assessment requests were received in this window.', [
  { key: 'groupName', label: 'Month' },
  { key: 'received', label: 'Received', numeric: true, format: number },
  { key: 'decided', label: 'Decided', numeric: true, format: number },
  { key: 'decidedWithin6Weeks', label: 'Within 6 weeks', numeric: true, format: number },
  { key: 'within6WeeksRate', label: 'Within 6 weeks (rate)', numeric: true, format: percent },
  { key: 'refused', label: 'Refused', numeric: true, format: number },
  { key: 'refusalRate', label: 'Refusal rate', numeric: true, format: percent },
  { key: 'withdrawn', label: 'Withdrawn', numeric: true, format: number },
  { key: 'pending', label: 'Pending', numeric: true, format: number },
]);

const renderAnnualReviews = renderTableOnly('panel-annual-reviews', 'annual-reviews-table', 'Annual review meetings, by month held', 'No annual review meetings were held in this window.', [
  { key: 'groupName', label: 'Month' },
  { key: 'meetings', label: 'Meetings', numeric: true, format: number },
  { key: 'decided', label: 'Decided', numeric: true, format: number },
  { key: 'decidedWithin4Weeks', label: 'Within 4 weeks', numeric: true, format: number },
  { key: 'rate', label: 'Within 4 weeks (rate)', numeric: true, format: percent },
  { key: 'maintained', label: 'Maintained', numeric: true, format: number },
  { key: 'amended', label: 'Amended', numeric: true, format: number },
  { key: 'ceased', label: 'Ceased', numeric: true, format: number },
  { key: 'pending', label: 'Pending', numeric: true, format: number },
]);

// ---------------------------------------------------------------- the worklist

function clearWorklist(): void {
  $<HTMLTableElement>('worklist-table').tBodies[0].replaceChildren();
  $('worklist-more').hidden = true;
}

function renderWorklistRows(rows: WorklistRow[], append: boolean): void {
  const body = $<HTMLTableElement>('worklist-table').tBodies[0];
  if (!append) body.replaceChildren();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset.deadline = row.deadlineId;
    const cells: [string, string, string?][] = [
      ['status', row.status === 'OVERDUE' ? 'Overdue' : 'Due soon', row.status === 'OVERDUE' ? 'badge badge-overdue' : 'badge badge-soon'],
      ['kind', kindName(row.kind)],
      ['daysOverdue', row.status === 'OVERDUE' ? String(row.daysOverdue) : row.daysUntilDue === 0 ? 'due today' : `due in ${row.daysUntilDue}`],
      ['dueOn', row.dueOn],
      ['startsOn', row.startsOn],
      ['schoolName', text(row.schoolName)],
      ['localityName', text(row.localityName)],
      ['organisationName', text(row.organisationName)],
      ['subject', `${shortKind(row.subjectType)} ${row.subjectId.slice(0, 8)}`],
    ];
    cells.forEach(([key, value, badge], index) => {
      const cell = document.createElement(index === 0 ? 'th' : 'td');
      if (index === 0) (cell as HTMLTableCellElement).scope = 'row';
      cell.dataset.field = key;
      if (badge) {
        const span = document.createElement('span');
        span.className = badge;
        span.textContent = `${row.status === 'OVERDUE' ? '!' : '…'} ${value}`;
        span.setAttribute('aria-label', value);
        cell.append(span);
        if (row.excepted) cell.append(' (exception)');
      } else {
        cell.textContent = value;
      }
      if (key === 'daysOverdue') cell.className = 'num';
      if (key === 'subject') cell.title = `${row.subjectType} ${row.subjectId}`;
      tr.append(cell);
    });
  }
}

function showSort(): void {
  const sort = state.worklist.sort;
  const key = sort.replace(/^-/, '');
  document.querySelectorAll<HTMLTableCellElement>('#worklist-table th[data-sort-key]').forEach((th) => {
    const active = th.dataset.sortKey === key;
    th.setAttribute('aria-sort', active ? (sort.startsWith('-') ? 'descending' : 'ascending') : 'none');
    const mark = th.querySelector('.sort-mark');
    if (mark) mark.textContent = active ? (sort.startsWith('-') ? ' ▼' : ' ▲') : ' ↕';
  });
}

async function loadWorklist(append = false): Promise<void> {
  state.worklistLoading?.abort();
  const controller = new AbortController();
  state.worklistLoading = controller;
  if (!append) {
    state.worklist.cursor = null;
    clearWorklist();
  }
  panelStatus('panel-worklist', 'Loading the worklist…', 'loading');
  const { path, query } = viewRequest('worklist');
  try {
    const page = await getJson<Page<WorklistRow>>(path, { ...query, limit: 50, cursor: state.worklist.cursor }, controller.signal);
    renderWorklistRows(page.data, append);
    state.worklist.cursor = page.nextCursor;
    $('worklist-more').hidden = !page.nextCursor;
    const shown = $<HTMLTableElement>('worklist-table').tBodies[0].rows.length;
    panelStatus('panel-worklist', shown === 0 ? 'Nothing is overdue or due soon for these filters.' : `${shown} shown${page.nextCursor ? '; more to show' : ''}.`, shown === 0 ? 'empty' : 'ok');
  } catch (error) {
    if (isAbort(error)) return;
    clearWorklist();
    panelStatus('panel-worklist', problemText(error), 'error');
  }
  if (state.worklistLoading === controller) document.body.dataset.worklist = String(++worklistLoads);
}
let worklistLoads = 0;

// ---------------------------------------------------------------- loading the dashboard

async function loadView(view: ViewKey, panelIds: string[], render: (d: Dashboard) => void, signal: AbortSignal): Promise<void> {
  const { path, query } = viewRequest(view);
  try {
    render(await getJson<Dashboard>(path, query, signal));
  } catch (error) {
    if (isAbort(error)) return;
    for (const id of panelIds) {
      clearPanel(id);
      // The dashboards query answered for this locality, so a 404 here is a route this server lacks.
      const message =
        error instanceof ApiError && error.status === 404
          ? `Not available: this server has no ${path} yet (the API answered 404).`
          : problemText(error);
      panelStatus(id, message, error instanceof ApiError && error.status === 404 ? 'unavailable' : 'error');
    }
  }
}

async function loadDashboard(): Promise<void> {
  state.loading?.abort();
  const controller = new AbortController();
  state.loading = controller;
  writeUrl();
  $('window-summary').textContent = `Due dates ${describePeriod(currentPeriod())}, figures as of ${state.filters.asOf}.`;
  showPageAlert(null);
  clearAll('Loading…', 'loading');
  const kinds = viewRequest('kinds');
  let byKind: Dashboard;
  try {
    byKind = await getJson<Dashboard>(kinds.path, kinds.query, controller.signal);
  } catch (error) {
    if (isAbort(error)) return;
    // The scope answer (404: not your locality; 403: no dashboards for this role) stops every panel.
    const hint =
      error instanceof ApiError && error.status === 404
        ? ' The locality asked for is not one you can see. Choose a locality from the list.'
        : error instanceof ApiError && error.status === 403
          ? ' Dashboards are for managers, caseworkers and locality panels.'
          : '';
    showPageAlert(`${problemText(error)}${hint}`);
    clearAll('No figures to show.', 'error');
    markLoaded(controller);
    return;
  }
  renderKinds(byKind);
  await Promise.all([
    loadView('ehc20', ['panel-ehc20'], renderEhc20, controller.signal),
    loadView('requests', ['panel-requests'], renderRequests, controller.signal),
    loadView('localityModel', ['panel-first-session', 'panel-units'], renderLocalityModel, controller.signal),
    loadView('ehcRequests', ['panel-ehc-requests'], renderEhcRequests, controller.signal),
    loadView('annualReviews', ['panel-annual-reviews'], renderAnnualReviews, controller.signal),
    loadWorklist(),
  ]);
  markLoaded(controller);
}

/** Every panel has its answer (figures, a message or an error): for people, aria-busy; for tests, data-loaded. */
let loads = 0;
function markLoaded(controller: AbortController): void {
  if (state.loading === controller) document.body.dataset.loaded = String(++loads);
}

// ---------------------------------------------------------------- selectors

function option(value: string, label: string): HTMLOptionElement {
  const element = document.createElement('option');
  element.value = value;
  element.textContent = label;
  return element;
}

function fillPeriods(): void {
  state.periods = periodsFor(state.filters.window, state.filters.asOf);
  if (!state.periods.some((p) => p.value === state.filters.period)) state.filters.period = state.periods[0].value;
  const select = $<HTMLSelectElement>('period');
  select.replaceChildren(...state.periods.map((p) => option(p.value, p.label)));
  select.value = state.filters.period;
  select.disabled = state.filters.window === 'rolling';
}

function fillLocalities(): void {
  const me = state.me;
  const select = $<HTMLSelectElement>('locality');
  const options: HTMLOptionElement[] = [];
  if (me && !me.localityId) options.push(option('', me.area ? `All of ${me.area} area` : 'All localities (county)'));
  for (const locality of state.localities) options.push(option(locality.id, `${locality.name} (${locality.code})`));
  if (me?.localityId && !state.filters.localityId) state.filters.localityId = me.localityId;
  const known = options.some((o) => o.value === state.filters.localityId);
  if (!known) {
    // A locality from an edited link that is not the user's: the API decides (404), the list stays theirs.
    const placeholder = option(state.filters.localityId, 'Choose a locality');
    placeholder.disabled = true;
    options.unshift(placeholder);
  }
  select.replaceChildren(...options);
  select.value = state.filters.localityId;
}

function fillSchools(): void {
  const allowed = new Set(state.filters.localityId ? [state.filters.localityId] : state.localities.map((l) => l.id));
  const schools = state.schools.filter((s) => allowed.has(s.localityId)).sort((a, b) => a.name.localeCompare(b.name));
  if (state.worklist.schoolId && !schools.some((s) => s.id === state.worklist.schoolId)) state.worklist.schoolId = '';
  const select = $<HTMLSelectElement>('wl-school');
  select.replaceChildren(option('', 'Every school'), ...schools.map((s) => option(s.id, s.name)));
  select.value = state.worklist.schoolId;
}

function fillKinds(): void {
  const select = $<HTMLSelectElement>('wl-kind');
  const kinds = [...state.kindNames.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  select.replaceChildren(option('', 'Every kind'), ...kinds.map(([kind, name]) => option(kind, name)));
  select.value = state.worklist.kind;
}

async function allPages<T>(path: string, query: Query, maxPages = 5): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = await getJson<Page<T>>(path, { ...query, limit: 500, cursor });
    rows.push(...page.data);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return rows;
}

// ---------------------------------------------------------------- signing in and out

function showSignIn(message?: string): void {
  state.loading?.abort();
  state.worklistLoading?.abort();
  state.me = null;
  clearAll('', 'empty');
  $('dashboard').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  const error = $('sign-in-error');
  error.textContent = message ?? '';
  error.hidden = !message;
  $<HTMLInputElement>('password').value = '';
  $<HTMLInputElement>('email').focus();
}

async function start(): Promise<void> {
  const me = await getJson<Me>('/auth/me');
  state.me = me;
  const [localities, schools, rules] = await Promise.all([
    allPages<Locality>('/localities', {}),
    allPages<School>('/schools', {}),
    getJson<{ data: { kind: string; description?: string }[] } | { kind: string; description?: string }[]>('/sla-rules').catch(() => ({ data: [] })),
  ]);
  state.localities = localities
    .filter((l) => (me.localityId ? l.id === me.localityId : me.area ? l.area === me.area : true))
    .sort((a, b) => a.name.localeCompare(b.name));
  state.schools = schools;
  const ruleList = Array.isArray(rules) ? rules : rules.data;
  state.kindNames = new Map(ruleList.map((r) => [r.kind, r.description ?? r.kind]));
  const scope = me.localityId ? (localities.find((l) => l.id === me.localityId)?.name ?? 'one locality') : me.area ? `${me.area} area` : 'county';
  $('who-name').textContent = `${me.name} · ${me.role.toLowerCase()} · ${scope}`;
  $('who').hidden = false;
  $('sign-in').hidden = true;
  $('dashboard').hidden = false;
  $<HTMLSelectElement>('window-kind').value = state.filters.window;
  $<HTMLInputElement>('as-of').value = state.filters.asOf;
  fillPeriods();
  fillLocalities();
  fillSchools();
  fillKinds();
  showSort();
  await loadDashboard();
}

async function begin(): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return; // already back at sign-in
    session.clear();
    showSignIn(problemText(error));
  }
}

function wire(): void {
  whenUnauthenticated(() => {
    session.clear();
    showSignIn('Your sign-in has ended. Please sign in again.');
  });

  $<HTMLFormElement>('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $<HTMLInputElement>('email').value.trim();
    const password = $<HTMLInputElement>('password').value;
    const error = $('sign-in-error');
    if (!email || !password) {
      error.textContent = 'Enter your email address and password.';
      error.hidden = false;
      return;
    }
    const button = $<HTMLButtonElement>('sign-in-button');
    button.disabled = true;
    error.hidden = true;
    try {
      const answer = await login(email, password);
      session.set(answer.accessToken);
      $<HTMLInputElement>('password').value = '';
      await begin();
      if (state.me) $('main').focus();
    } catch (problem) {
      error.textContent = problem instanceof ApiError && problem.status === 401 ? 'The email address or password is not right.' : problemText(problem);
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });

  $('sign-out').addEventListener('click', () => {
    session.clear();
    state.filters.localityId = '';
    state.worklist = { status: '', kind: '', schoolId: '', sort: '-daysOverdue', cursor: null };
    $<HTMLSelectElement>('wl-status').value = '';
    history.replaceState(null, '', location.pathname);
    showSignIn();
  });

  $<HTMLSelectElement>('window-kind').addEventListener('change', (event) => {
    state.filters.window = (event.target as HTMLSelectElement).value as WindowKind;
    state.filters.period = '';
    fillPeriods();
    void loadDashboard();
  });
  $<HTMLSelectElement>('period').addEventListener('change', (event) => {
    state.filters.period = (event.target as HTMLSelectElement).value;
    void loadDashboard();
  });
  $<HTMLInputElement>('as-of').addEventListener('change', (event) => {
    const value = (event.target as HTMLInputElement).value;
    if (!isCalendarDate(value)) return;
    state.filters.asOf = value;
    fillPeriods();
    void loadDashboard();
  });
  $<HTMLSelectElement>('locality').addEventListener('change', (event) => {
    state.filters.localityId = (event.target as HTMLSelectElement).value;
    fillLocalities();
    fillSchools();
    void loadDashboard();
  });

  for (const [id, key] of [['wl-status', 'status'], ['wl-kind', 'kind'], ['wl-school', 'schoolId']] as const) {
    $<HTMLSelectElement>(id).addEventListener('change', (event) => {
      state.worklist[key] = (event.target as HTMLSelectElement).value;
      void loadWorklist();
    });
  }
  document.querySelectorAll<HTMLButtonElement>('#worklist-table button.sort').forEach((button) => {
    button.addEventListener('click', () => {
      const key = button.dataset.sort ?? 'daysOverdue';
      const current = state.worklist.sort;
      const defaultDirection = key === 'daysOverdue' ? `-${key}` : key;
      state.worklist.sort = current.replace(/^-/, '') === key ? (current.startsWith('-') ? key : `-${key}`) : defaultDirection;
      showSort();
      void loadWorklist();
    });
  });
  $('worklist-more').addEventListener('click', () => void loadWorklist(true));

  document.querySelectorAll<HTMLButtonElement>('button.csv').forEach((button) => {
    button.addEventListener('click', async () => {
      const view = button.dataset.view as ViewKey;
      const request = viewRequest(view);
      const panelId = button.closest('section')?.id ?? '';
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        saveFile(await fetchCsv(request.path, request.query, request.pages), request.name);
      } catch (error) {
        if (panelId) panelStatus(panelId, `The CSV could not be made: ${problemText(error)}`, 'error');
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    });
  });
}

wire();
readUrl();
if (session.token) void begin();
else showSignIn();
