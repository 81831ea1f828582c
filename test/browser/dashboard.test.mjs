// Browser tests of the dashboard page (npm run test:browser; not part of npm test).
// playwright-core drives the OS's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) headless with the
// network switched off, against the BUILT app (node dist/src/main.js) on the embedded database with
// the demo data. Every figure the page shows is checked against the API's answer for the same
// window, fetched here with the token the page holds.
//
// UPDATE_SCREENSHOT=1 also writes docs/dashboard.png (1280x800, demo data).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PASSWORD = 'demo-password-2026';
const WORKLIST_CSV_HEADER =
  'deadlineId,kind,subjectType,subjectId,pupilId,schoolId,schoolName,localityId,localityName,organisationId,organisationName,startsOn,dueOn,daysOverdue,daysUntilDue,status,excepted';
const TIMELINESS_CSV_HEADER =
  'groupId,groupName,met,metOnTime,onTimeRate,open,overdue,dueSoon,medianDaysToMeet,p90DaysToMeet,metExcludingExceptions,metOnTimeExcludingExceptions';
const EHC_20_WEEK_FIELDS = [
  'groupId', 'groupName', 'issued', 'within20Weeks', 'within20To52Weeks', 'over52Weeks', 'meanWeeksToIssue', 'rate',
  'issuedExcludingExceptions', 'within20WeeksExcludingExceptions', 'rateExcludingExceptions', 'issuedWithMediationOrTribunal',
];

let app; // the app's child process
let appLog = '';
let base; // http://127.0.0.1:<port>
let dataDir;
let profileDir;
let downloadsDir;
let context;
let page;
const external = []; // requests the page tried to make off this origin (all refused)
const pageErrors = []; // uncaught exceptions and CSP violations in the page

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Today in England, as the API and the page see it. */
function londonToday() {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const pad = (n) => String(n).padStart(2, '0');
const lastDay = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The page's default window, worked out independently: the 12 calendar months to the as-of month. */
function rollingWindow(asOf) {
  const [y, m] = asOf.split('-').map(Number);
  const index = y * 12 + (m - 1) - 11;
  return { from: `${Math.floor(index / 12)}-${pad((index % 12) + 1)}-01`, to: `${y}-${pad(m)}-${pad(lastDay(y, m))}`, asOf };
}

/** The page's number formats (tables.ts), to compare the API's figures with the text shown. */
const percent = (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : 'n/a');
const number = (v) => (v === null || v === undefined ? 'n/a' : Number.isInteger(v) ? String(v) : v.toFixed(1));

async function api(token, path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const response = await fetch(`${base}/api/v1${path}?${params}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  return { status: response.status, body: await response.json() };
}

const tokenOf = () => page.evaluate(() => sessionStorage.getItem('locality-sen.token'));

/** Waits for the dashboard's next complete load (every panel answered) after `action`. */
async function dashboardLoad(action) {
  const previous = await page.evaluate(() => document.body.dataset.loaded ?? '');
  await action();
  await page.waitForFunction((p) => (document.body.dataset.loaded ?? '') !== p, previous, { timeout: 60_000 });
}

async function worklistLoad(action) {
  const previous = await page.evaluate(() => document.body.dataset.worklist ?? '');
  await action();
  await page.waitForFunction((p) => (document.body.dataset.worklist ?? '') !== p, previous, { timeout: 60_000 });
}

async function signIn(email) {
  await page.goto(`${base}/`);
  await page.locator('#email').waitFor();
  await dashboardLoad(async () => {
    await page.getByLabel('Email address', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  });
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#sign-in').waitFor();
  assert.equal(await tokenOf(), null, 'signing out forgets the token');
}

/** A figures table as {groupId: {field: text}} from its data-group rows and data-field cells. */
function readTable(selector) {
  return page.$$eval(`${selector} tbody tr`, (rows) =>
    Object.fromEntries(
      rows.map((row) => [row.dataset.group ?? '', Object.fromEntries([...row.cells].map((cell) => [cell.dataset.field, cell.textContent.trim()]))]),
    ),
  );
}

/** Non-white pixels drawn on a canvas (a chart that rendered has many). */
function inkOn(selector) {
  return page.$eval(selector, (canvas) => {
    const { width, height } = canvas;
    if (!width || !height) return 0;
    const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let ink = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] > 0 && (pixels[i] < 240 || pixels[i + 1] < 240 || pixels[i + 2] < 240)) ink++;
    return ink;
  });
}

function assertTimelinessTable(shown, rows, fields, label) {
  assert.deepEqual(Object.keys(shown).sort(), rows.map((r) => r.groupId).sort(), `${label}: one row per API group`);
  for (const row of rows) {
    for (const [field, format] of Object.entries(fields)) {
      assert.equal(shown[row.groupId][field], format(row[field]), `${label}: ${row.groupId} ${field}`);
    }
  }
}

const KIND_FIELDS = { overdue: number, dueSoon: number, open: number, met: number, onTimeRate: percent };
const REQUEST_FIELDS = {
  groupName: String, met: number, metOnTime: number, onTimeRate: percent, open: number, overdue: number,
  medianDaysToMeet: number, p90DaysToMeet: number,
};

const EHC_20_WEEK_SHOWN = {
  groupName: String, issued: number, within20Weeks: number, within20To52Weeks: number, over52Weeks: number, meanWeeksToIssue: number,
  rate: percent, issuedExcludingExceptions: number, within20WeeksExcludingExceptions: number, rateExcludingExceptions: percent,
};
const FIRST_SESSION_SHOWN = { groupName: String, allocationsMade: number, allocationsAccepted: number, medianDaysToAcceptance: number, medianDaysToFirstSession: number };
const UNITS_SHOWN = { groupName: String, unitsAllocated: number, unitsUsed: number, utilisation: percent };
const EHC_REQUESTS_SHOWN = {
  groupName: String, received: number, decided: number, decidedWithin6Weeks: number, within6WeeksRate: percent, refused: number,
  refusalRate: percent, withdrawn: number, pending: number,
};
const ANNUAL_REVIEWS_SHOWN = {
  groupName: String, meetings: number, decided: number, decidedWithin4Weeks: number, rate: percent, maintained: number, amended: number,
  ceased: number, pending: number,
};

/**
 * One dashboard view: the API's rows for the page's window are the rows shown (each field as the
 * page formats it) and its charts are drawn; no rows, a message saying so. Returns the rows.
 */
async function checkPanel(token, { path, query, panels, tables, charts = [] }) {
  const answer = await api(token, path, query);
  assert.equal(answer.status, 200, path);
  const rows = answer.body.data;
  if (rows.length === 0) {
    for (const panel of panels) assert.equal(await page.getAttribute(`${panel} .panel-status`, 'data-state'), 'empty', `${panel}: no rows, says so`);
    return rows;
  }
  for (const [table, fields] of Object.entries(tables)) assertTimelinessTable(await readTable(table), rows, fields, `${path} ${table}`);
  for (const chart of charts) assert.ok((await inkOn(chart)) > 1000, `${chart} is drawn`);
  return rows;
}

async function download(buttonSelector) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click(buttonSelector)]);
  const path = join(downloadsDir, `${Date.now()}-${file.suggestedFilename()}`);
  await file.saveAs(path);
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

// ---------------------------------------------------------------- the app and the browser

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  assert.ok(existsSync(join(ROOT, 'dist/src/main.js')) && existsSync(join(ROOT, 'dist/public/index.html')), 'build first: npm run build');
  dataDir = await mkdtemp(join(tmpdir(), 'sen-browser-data-'));
  profileDir = await mkdtemp(join(tmpdir(), 'sen-browser-profile-'));
  downloadsDir = await mkdtemp(join(tmpdir(), 'sen-browser-downloads-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'true', EXPENSIVE_RATE_LIMIT_PER_MINUTE: '100000' };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  app = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // However this process ends (a failed hook, a CI timeout's SIGTERM, Ctrl-C), the app goes with it.
  process.once('exit', () => {
    try {
      process.kill(-app.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
  app.stdout.on('data', (chunk) => (appLog += chunk));
  app.stderr.on('data', (chunk) => (appLog += chunk));
  let exited = null;
  app.once('exit', (code) => (exited = code));
  const started = Date.now();
  for (;;) {
    if (exited !== null) throw new Error(`the app exited (${exited}) before it was ready:\n${appLog}`);
    if (Date.now() - started > 180_000) throw new Error(`the app was not ready within 180 s:\n${appLog}`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  console.log(`app ready on ${base} in ${Date.now() - started} ms`);

  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    acceptDownloads: true,
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  // Nothing may leave this origin: record and refuse anything else.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
  });
});

after(async () => {
  await context?.close().catch(() => undefined);
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app.once('exit', resolve));
    try {
      process.kill(-app.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-app.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  }
  for (const dir of [dataDir, profileDir, downloadsDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- the tests

test('the page and its assets are served without a token, under a policy that allows only this origin', async () => {
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  const csp = index.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /connect-src 'self'/);
  const html = await index.text();
  assert.doesNotMatch(html, /(src|href)="https?:/, 'the page loads nothing from another origin');
  for (const [asset, type] of [['/app.js', /javascript/], ['/styles.css', /text\/css/]]) {
    const response = await fetch(`${base}${asset}`);
    assert.equal(response.status, 200, asset);
    assert.match(response.headers.get('content-type'), type, asset);
  }
  // The API is still the API: no token, no data; an unknown path is still the API's 404 problem.
  assert.equal((await fetch(`${base}/api/v1/dashboards/timeliness`)).status, 401);
  const unknown = await fetch(`${base}/no-such-page`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers.get('content-type'), /application\/problem\+json/);
});

test('sign-in refuses a wrong password with a message and keeps no token', async () => {
  await page.goto(`${base}/`);
  await page.getByLabel('Email address', { exact: true }).fill('manager@example.org');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('#sign-in-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#sign-in-error').textContent(), /not right/);
  assert.equal(await tokenOf(), null);
  assert.equal(await page.locator('#dashboard').isHidden(), true);
});

test('a county manager sees the charts, with the figures the API gives for the same window', async () => {
  await signIn('manager@example.org');
  const token = await tokenOf();
  assert.ok(token, 'the token is kept in sessionStorage');
  assert.ok(!page.url().includes(token), 'the token is never in the URL');

  const asOf = londonToday();
  const window = rollingWindow(asOf);
  assert.equal(await page.inputValue('#as-of'), asOf);
  assert.equal(new URL(page.url()).searchParams.get('asOf'), asOf);
  const localityOptions = await page.$$eval('#locality option', (options) => options.map((o) => o.textContent));
  assert.equal(localityOptions[0], 'All localities (county)');
  assert.equal(localityOptions.length, 13, 'the county and its 12 demo localities');

  // Deadlines by kind.
  const byKind = await api(token, '/dashboards/timeliness', { ...window, groupBy: 'kind' });
  assert.equal(byKind.status, 200);
  assert.ok(byKind.body.data.some((r) => r.overdue > 0), 'the demo data has overdue deadlines');
  assertTimelinessTable(await readTable('#kinds-table'), byKind.body.data, KIND_FIELDS, 'by kind');
  assert.ok((await inkOn('#kinds-chart')) > 1000, 'the by-kind chart is drawn');
  const kindsLabel = await page.getAttribute('#kinds-chart', 'aria-label');
  for (const row of byKind.body.data) assert.ok(kindsLabel.includes(`${row.overdue} overdue, ${row.dueSoon} due soon`), `chart text alternative for ${row.groupId}`);

  // Support request decisions by month.
  const requests = await api(token, '/dashboards/timeliness', { ...window, groupBy: 'month', kind: 'REQUEST_DECISION' });
  assert.equal(requests.status, 200);
  assert.ok(requests.body.data.length > 0, 'the demo data has request decisions in the window');
  assertTimelinessTable(await readTable('#requests-table'), requests.body.data, REQUEST_FIELDS, 'request decisions');
  assert.ok((await inkOn('#requests-chart')) > 1000, 'the request decisions chart is drawn');

  // EHC 20-week rate by month (with the 80% target line), and the other EHC and locality-model views.
  const ehc = await checkPanel(token, {
    path: '/dashboards/ehc-20-week', query: { ...window, groupBy: 'month' }, panels: ['#panel-ehc20'], tables: { '#ehc20-table': EHC_20_WEEK_SHOWN }, charts: ['#ehc20-chart'],
  });
  if (ehc) {
    for (const field of EHC_20_WEEK_FIELDS) assert.ok(field in ehc[0], `ehc-20-week rows have ${field}`);
    assert.match(await page.getAttribute('#ehc20-chart', 'aria-label'), /against the 80% target/);
    const legend = await page.evaluate(() => [...document.querySelectorAll('#ehc20-table thead th')].map((th) => th.textContent));
    assert.ok(legend.includes('Against target'));
  }
  await checkPanel(token, {
    path: '/dashboards/locality-model', query: { ...window, groupBy: 'locality' }, panels: ['#panel-first-session', '#panel-units'],
    tables: { '#first-session-table': FIRST_SESSION_SHOWN, '#units-table': UNITS_SHOWN }, charts: ['#first-session-chart', '#units-chart'],
  });
  await checkPanel(token, { path: '/dashboards/ehc-requests', query: { ...window, groupBy: 'month' }, panels: ['#panel-ehc-requests'], tables: { '#ehc-requests-table': EHC_REQUESTS_SHOWN } });
  await checkPanel(token, { path: '/dashboards/annual-reviews', query: { ...window, groupBy: 'month' }, panels: ['#panel-annual-reviews'], tables: { '#annual-reviews-table': ANNUAL_REVIEWS_SHOWN } });

  await page.screenshot({ path: join(downloadsDir, 'dashboard.png') });
  if (process.env.UPDATE_SCREENSHOT === '1') await copyFile(join(downloadsDir, 'dashboard.png'), join(ROOT, 'docs/dashboard.png'));
});

test('choosing a locality asks the API for that locality and shows its figures', async () => {
  const token = await tokenOf();
  const localities = (await api(token, '/localities', { limit: 500 })).body.data;
  const dartford = localities.find((l) => l.code === 'DAR-01');
  const asked = [];
  const record = (request) => request.url().includes('/api/v1/dashboards/') && asked.push(new URL(request.url()));
  page.on('request', record);
  await dashboardLoad(() => page.getByLabel('Locality', { exact: true }).selectOption({ label: `${dartford.name} (DAR-01)` }));
  page.off('request', record);
  assert.ok(asked.length >= 3, 'the dashboards were asked again');
  for (const url of asked) assert.equal(url.searchParams.get('localityId'), dartford.id, `${url.pathname} asked for Dartford`);
  assert.equal(new URL(page.url()).searchParams.get('localityId'), dartford.id, 'the choice is in the page link');

  const window = rollingWindow(londonToday());
  const byKind = await api(token, '/dashboards/timeliness', { ...window, groupBy: 'kind', localityId: dartford.id });
  assertTimelinessTable(await readTable('#kinds-table'), byKind.body.data, KIND_FIELDS, 'Dartford by kind');
  const county = await api(token, '/dashboards/timeliness', { ...window, groupBy: 'kind' });
  assert.notDeepEqual(byKind.body.data, county.body.data, 'Dartford differs from the county');

  // The worklist is Dartford's only.
  const localityNames = await page.$$eval('#worklist-table tbody td[data-field="localityName"]', (cells) => [...new Set(cells.map((c) => c.textContent))]);
  assert.deepEqual(localityNames, [dartford.name]);

  // Another window: a month, computed the same way by the page and here.
  const [y, m] = londonToday().split('-').map(Number);
  const prev = m === 1 ? [y - 1, 12] : [y, m - 1];
  await dashboardLoad(() => page.getByLabel('Window', { exact: true }).selectOption('month'));
  await dashboardLoad(() => page.getByLabel('Period', { exact: true }).selectOption(`${prev[0]}-${pad(prev[1])}`));
  const month = { from: `${prev[0]}-${pad(prev[1])}-01`, to: `${prev[0]}-${pad(prev[1])}-${pad(lastDay(prev[0], prev[1]))}`, asOf: londonToday() };
  const monthKinds = await api(token, '/dashboards/timeliness', { ...month, groupBy: 'kind', localityId: dartford.id });
  if (monthKinds.body.data.length === 0) {
    assert.match(await page.locator('#panel-kinds .panel-status').textContent(), /No deadlines/);
  } else {
    assertTimelinessTable(await readTable('#kinds-table'), monthKinds.body.data, KIND_FIELDS, 'Dartford last month by kind');
  }

  // Last calendar year (DfE's EHC tables count by calendar year), still for Dartford.
  await dashboardLoad(() => page.getByLabel('Window', { exact: true }).selectOption('calendar'));
  await dashboardLoad(() => page.getByLabel('Period', { exact: true }).selectOption(String(y - 1)));
  const lastYear = { from: `${y - 1}-01-01`, to: `${y - 1}-12-31`, asOf: londonToday(), localityId: dartford.id };
  await checkPanel(token, {
    path: '/dashboards/ehc-20-week', query: { ...lastYear, groupBy: 'month' }, panels: ['#panel-ehc20'], tables: { '#ehc20-table': EHC_20_WEEK_SHOWN }, charts: ['#ehc20-chart'],
  });
  await checkPanel(token, {
    path: '/dashboards/locality-model', query: { ...lastYear, groupBy: 'locality' }, panels: ['#panel-first-session', '#panel-units'],
    tables: { '#first-session-table': FIRST_SESSION_SHOWN, '#units-table': UNITS_SHOWN },
  });
  assertTimelinessTable(
    await readTable('#kinds-table'),
    (await api(token, '/dashboards/timeliness', { ...lastYear, groupBy: 'kind' })).body.data,
    KIND_FIELDS,
    'Dartford last calendar year by kind',
  );

  await dashboardLoad(() => page.getByLabel('Locality', { exact: true }).selectOption({ label: 'All localities (county)' }));
  await dashboardLoad(() => page.getByLabel('Window', { exact: true }).selectOption('rolling'));
});

test('the overdue worklist filters by kind and school and sorts as the API does', async () => {
  const token = await tokenOf();
  const asOf = londonToday();
  const shownIds = () => page.$$eval('#worklist-table tbody tr', (rows) => rows.map((r) => r.dataset.deadline));
  const apiIds = async (query) => (await api(token, '/dashboards/overdue', { asOf, limit: 50, ...query })).body.data.map((r) => r.deadlineId);

  assert.deepEqual(await shownIds(), await apiIds({}), 'the default order: longest overdue first');
  assert.equal(await page.getAttribute('#worklist-table th[data-sort-key="daysOverdue"]', 'aria-sort'), 'descending');

  await worklistLoad(() => page.locator('#wl-kind').selectOption('REQUEST_DECISION'));
  const requestIds = await apiIds({ kind: 'REQUEST_DECISION' });
  assert.ok(requestIds.length > 0, 'the demo data has overdue request decisions');
  assert.deepEqual(await shownIds(), requestIds);

  await worklistLoad(() => page.getByRole('button', { name: 'Due on' }).click());
  assert.equal(await page.getAttribute('#worklist-table th[data-sort-key="dueOn"]', 'aria-sort'), 'ascending');
  assert.deepEqual(await shownIds(), await apiIds({ kind: 'REQUEST_DECISION', sort: 'dueOn' }));
  await worklistLoad(() => page.getByRole('button', { name: 'Due on' }).click());
  assert.equal(await page.getAttribute('#worklist-table th[data-sort-key="dueOn"]', 'aria-sort'), 'descending');
  const descending = await apiIds({ kind: 'REQUEST_DECISION', sort: '-dueOn' });
  assert.deepEqual(await shownIds(), descending);
  const dues = await page.$$eval('#worklist-table tbody td[data-field="dueOn"]', (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(dues, [...dues].sort().reverse(), 'due dates shown latest first');

  // A school's rows only.
  const first = (await api(token, '/dashboards/overdue', { asOf, kind: 'REQUEST_DECISION', sort: '-dueOn', limit: 1 })).body.data[0];
  await worklistLoad(() => page.locator('#wl-school').selectOption(first.schoolId));
  assert.deepEqual(await shownIds(), await apiIds({ kind: 'REQUEST_DECISION', sort: '-dueOn', schoolId: first.schoolId }));
  const schools = await page.$$eval('#worklist-table tbody td[data-field="schoolName"]', (cells) => [...new Set(cells.map((c) => c.textContent))]);
  assert.deepEqual(schools, [first.schoolName]);

  await worklistLoad(() => page.locator('#wl-school').selectOption(''));
  await worklistLoad(() => page.locator('#wl-kind').selectOption(''));
  await worklistLoad(() => page.getByRole('button', { name: 'Days overdue' }).click());
  assert.equal(await page.getAttribute('#worklist-table th[data-sort-key="daysOverdue"]', 'aria-sort'), 'descending');
});

test('each view downloads as the API CSV, header row first', async () => {
  const token = await tokenOf();
  const asOf = londonToday();
  const worklist = await download('#panel-worklist button.csv');
  assert.match(worklist.name, /^overdue-worklist_as-of-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = worklist.text.trimEnd().split(/\r\n/);
  assert.equal(lines[0], WORKLIST_CSV_HEADER);
  const all = (await api(token, '/dashboards/overdue', { asOf, limit: 500 })).body;
  assert.equal(all.nextCursor, null);
  assert.equal(lines.length - 1, all.data.length, 'one line per worklist row');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), all.data.map((r) => r.deadlineId));

  const kinds = await download('#panel-kinds button.csv');
  assert.match(kinds.name, /^deadlines-by-kind_/);
  const kindLines = kinds.text.trimEnd().split(/\r\n/);
  assert.equal(kindLines[0], TIMELINESS_CSV_HEADER);
  const byKind = await api(token, '/dashboards/timeliness', { ...rollingWindow(asOf), groupBy: 'kind' });
  assert.equal(kindLines.length - 1, byKind.body.data.length);

  const requests = await download('#panel-requests button.csv');
  assert.equal(requests.text.split(/\r\n/)[0], TIMELINESS_CSV_HEADER);

  const ehcWindow = { ...rollingWindow(asOf), groupBy: 'month' };
  const ehc = await api(token, '/dashboards/ehc-20-week', ehcWindow);
  if (ehc.status === 200) {
    const file = await download('#panel-ehc20 button.csv');
    assert.match(file.name, /^ehc-20-week_/);
    const ehcLines = file.text.trimEnd().split(/\r\n/);
    assert.equal(ehcLines[0], EHC_20_WEEK_FIELDS.join(','));
    assert.equal(ehcLines.length - 1, ehc.body.data.length);
  }
});

test('readable at tablet width (768 px): one column, nothing wider than the screen', async () => {
  await page.setViewportSize({ width: 768, height: 1024 });
  try {
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth);
    const lefts = await page.$$eval('.grid > .panel', (panels) => [...new Set(panels.map((p) => Math.round(p.getBoundingClientRect().left)))]);
    assert.equal(lefts.length, 1, 'panels stack in one column');
    assert.ok((await inkOn('#kinds-chart')) > 1000, 'the charts redraw at the narrower width');
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test('keyboard: labelled controls, a visible focus, sign-in without a mouse', async () => {
  const unlabelled = await page.$$eval('input, select', (controls) => controls.filter((c) => c.labels.length === 0).map((c) => c.id));
  assert.deepEqual(unlabelled, [], 'every control has a <label>');
  const canvases = await page.$$eval('canvas', (all) => all.filter((c) => c.getAttribute('role') !== 'img').map((c) => c.id));
  assert.deepEqual(canvases, [], 'every chart is an image with a text alternative');

  await signOut();
  // A fresh page: the email field has the focus; type, Tab to the password, Enter.
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.activeElement?.id === 'email');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused field shows a focus outline');
  await dashboardLoad(async () => {
    await page.keyboard.type('manager@example.org');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
  });
  // Signed in, the focus moves to the dashboard; Tab reaches the filters in order.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  const order = [];
  for (let i = 0; i < 2; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement?.id));
  }
  assert.deepEqual(order, ['window-kind', 'as-of'], 'the window, then the as-of date (the period is disabled for 12 months)');
  assert.equal(await page.locator('#dashboard').isVisible(), true);
});

test('a locality manager sees only their locality; a link to another shows the API 404 and no data', async () => {
  await signOut();
  await signIn('manager.dartford@example.org');
  const token = await tokenOf();
  const localities = (await api(token, '/localities', { limit: 500 })).body.data;
  const dartford = localities.find((l) => l.code === 'DAR-01');
  const thanet = localities.find((l) => l.code === 'THA-01');

  const choices = await page.$$eval('#locality option:not([disabled])', (options) => options.map((o) => ({ value: o.value, text: o.textContent })));
  assert.deepEqual(choices, [{ value: dartford.id, text: `${dartford.name} (DAR-01)` }], 'only their own locality, no county option');
  const rows = await page.$$eval('#worklist-table tbody td[data-field="localityName"]', (cells) => [...new Set(cells.map((c) => c.textContent))]);
  assert.ok(rows.every((name) => name === dartford.name), 'the worklist is theirs only');

  // Editing the link to another locality: the API says 404, the page shows that and no figures.
  const refused = await api(token, '/dashboards/timeliness', { groupBy: 'kind', localityId: thanet.id });
  assert.equal(refused.status, 404);
  await page.goto(`${base}/?window=rolling&localityId=${thanet.id}`);
  await page.waitForFunction(() => document.body.dataset.loaded);
  const alert = page.locator('#page-alert');
  assert.equal(await alert.isVisible(), true);
  const message = await alert.textContent();
  assert.match(message, /Not found \(404\)/);
  assert.ok(message.includes(refused.body.detail), 'the API problem detail is shown');
  assert.equal(await page.locator('table.figures tbody tr').count(), 0, 'no figures in any table');
  assert.equal(await page.locator('.chart-box:not([hidden])').count(), 0, 'no chart drawn');
  assert.equal(await page.$$eval('#locality option:not([disabled])', (o) => o.map((x) => x.value).join()), dartford.id, 'the list still offers only theirs');
  assert.equal(await page.inputValue('#locality'), thanet.id, 'the requested locality is what was asked, shown as "Choose a locality"');
});

test('the page fetched nothing from the internet and raised no script or policy errors', () => {
  assert.deepEqual(external, []);
  assert.deepEqual(pageErrors, []);
});
