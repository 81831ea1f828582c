
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACTIONS, scopeFor } from '../src/access/policy';
import { ROLES, type Role } from '../src/access/role';
import { listRoutes, type RouteInfo } from '../src/access/route-coverage';
import { scopeFilter, type ScopeFilter } from '../src/access/scope-filter';
import { callerOf } from '../src/auth/jwt.strategy';
import { addDays, todayInLondon } from '../src/common/dates/calendar-date';
import { academicYearOf } from '../src/ehc/phase-transfer';
import { nameKey } from '../src/pupils/name-key';
import { upnCheckLetter } from '../src/pupils/upn';
import { User } from '../src/users/user.entity';
import { createAllocation } from './support/allocation-factory';
import { createUser, type TestUser, type UserScope } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * The access matrix (ARCHITECTURE.md idea 2): every route of the app x every role x a record in
 * and out of the caller's scope, with the expected status derived from the policy table. A route
 * without a fixture here, or without an action in the policy table, fails the suite.
 */

type Target = 'own' | 'other';
type Dimension = 'schoolId' | 'localityId' | 'area' | 'organisationId' | 'userId';

interface Place {
  localityId: string;
  area: string;
  schoolId: string;
  /** A second school in the same locality (a transfer's starting point). */
  school2Id: string;
  organisationId: string;
  serviceId: string;
}

interface World {
  own: Place;
  other: Place;
  users: Record<Role, TestUser>;
  scopes: Record<Role, UserScope>;
}

interface Call {
  path: string;
  body?: object | string;
  /** The body's content type when it is not JSON (a CSV import). */
  contentType?: string;
  /** Sign in as someone else for this call (a fresh account for calls that change the caller). */
  as?: TestUser;
  /** The record addressed, checked never to leak into a refusal. */
  recordId?: string;
}

interface Fixture {
  /** Which scope columns the addressed record has; absent for county-wide reference data and lists. */
  dims?: Dimension[];
  /** The scoped id travels in the body (a create): out of scope is a 400 on that field, not a 404. */
  inBody?: boolean;
  /** Where the general rule does not fit, the expected status for a role and target. */
  expect?: (role: Role, target: Target, general: number) => number;
  /** Only meaningful on the caller's own account. */
  selfOnly?: boolean;
  call: (w: World, target: Target, role: Role) => Promise<Call>;
}

let t: TestApp;
let n = 0;
const PUPIL_DIMS: Dimension[] = ['schoolId', 'localityId', 'area'];
/** A support request's scope: its school, the locality that hears it, and that locality's area. */
const REQUEST_DIMS: Dimension[] = ['schoolId', 'localityId', 'area'];
/** An allocation's scope: the request's school and locality, its area, and the provider organisation. */
const ALLOCATION_DIMS: Dimension[] = ['schoolId', 'localityId', 'area', 'organisationId'];
const unique = () => `${Date.now().toString(36)}${(n++).toString(36)}`.toUpperCase().slice(-8);
const version = async (table: string, id: string) => (await t.dataSource.query(`SELECT version FROM ${table} WHERE id = $1`, [id]))[0].version as number;

async function freshUser(role: Role, scope: UserScope): Promise<TestUser> {
  return createUser(t, role, scope);
}

const FIXTURES: Record<string, Fixture> = {
  'GET health/live': { call: async () => ({ path: '/health/live' }) },
  'GET health/ready': { call: async () => ({ path: '/health/ready' }) },
  'POST auth/login': { call: async () => ({ path: '/api/v1/auth/login', body: { email: 'nobody@example.org', password: 'x' } }) },
  'GET auth/me': { selfOnly: true, call: async () => ({ path: '/api/v1/auth/me' }) },
  'POST auth/change-password': {
    selfOnly: true,
    call: async (w, _target, role) => {
      const user = await freshUser(role, w.scopes[role]);
      return { path: '/api/v1/auth/change-password', body: { currentPassword: user.password, newPassword: `matrix-new-password-${unique()}` }, as: user };
    },
  },
  'GET audit-events': { call: async () => ({ path: '/api/v1/audit-events' }) },

  'GET localities': { call: async () => ({ path: '/api/v1/localities' }) },
  'POST localities': {
    call: async () => ({ path: '/api/v1/localities', body: { code: `MX-${unique()}`, name: 'Matrix locality', area: 'Matrix', district: 'Matrix' } }),
  },
  'GET localities/:id': { call: async (w, target) => ({ path: `/api/v1/localities/${w[target].localityId}`, recordId: w[target].localityId }) },
  'PATCH localities/:id': {
    call: async (w, target) => {
      const id = w[target].localityId;
      return { path: `/api/v1/localities/${id}`, body: { name: `Renamed ${unique()}`, version: await version('locality', id) }, recordId: id };
    },
  },

  'GET schools': { call: async () => ({ path: '/api/v1/schools' }) },
  'POST schools': {
    call: async (w, target) => ({
      path: '/api/v1/schools',
      body: { urn: String(500000 + n++), name: 'Matrix School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: w[target].localityId },
    }),
  },
  'GET schools/:id': { call: async (w, target) => ({ path: `/api/v1/schools/${w[target].schoolId}`, recordId: w[target].schoolId }) },
  'PATCH schools/:id': {
    call: async (w, target) => {
      const id = w[target].schoolId;
      return { path: `/api/v1/schools/${id}`, body: { name: `Renamed ${unique()}`, version: await version('school', id) }, recordId: id };
    },
  },

  'GET organisations': { call: async () => ({ path: '/api/v1/organisations' }) },
  'POST organisations': { call: async () => ({ path: '/api/v1/organisations', body: { name: `Matrix Trust ${unique()}`, kind: 'NHS' } }) },
  'GET organisations/:id': {
    call: async (w, target) => ({ path: `/api/v1/organisations/${w[target].organisationId}`, recordId: w[target].organisationId }),
  },

  'GET services': { call: async () => ({ path: '/api/v1/services' }) },
  'POST services': {
    call: async (w, target) => ({
      path: '/api/v1/services',
      body: { code: `MX${unique()}`, name: 'Matrix service', organisationId: w[target].organisationId, unit: 'SESSIONS' },
    }),
  },
  'GET services/:id': { call: async (w, target) => ({ path: `/api/v1/services/${w[target].serviceId}`, recordId: w[target].serviceId }) },
  'PATCH services/:id': {
    call: async (w, target) => {
      const id = w[target].serviceId;
      return { path: `/api/v1/services/${id}`, body: { name: `Renamed ${unique()}`, version: await version('service', id) }, recordId: id };
    },
  },

  'GET pupils': { call: async () => ({ path: '/api/v1/pupils' }) },
  'POST pupils': {
    inBody: true,
    call: async (w, target) => {
      const body = `886${String(6000 + (n % 3000)).padStart(4, '0')}25${String(n++ % 1000).padStart(3, '0')}`;
      return {
        path: '/api/v1/pupils',
        body: {
          upn: `${upnCheckLetter(body)}${body}`,
          firstName: 'Ada',
          lastName: `Matrix${n}`,
          dateOfBirth: '2018-03-14',
          schoolId: w[target].schoolId,
          senStatus: 'K',
          primaryNeed: 'SPLD',
        },
      };
    },
  },
  'GET pupils/:id': { dims: PUPIL_DIMS, call: async (w, target) => pupilCall(w, target, '') },
  'PATCH pupils/:id': {
    dims: PUPIL_DIMS,
    call: async (w, target) => {
      const call = await pupilCall(w, target, '');
      return { ...call, body: { firstName: `Renamed${n++}`, version: await version('pupil', call.recordId!) } };
    },
  },
  'POST pupils/:id/transfer': {
    dims: PUPIL_DIMS,
    // The SENCO of the receiving school brings a pupil over from any school; a caseworker only within scope.
    expect: (role, _target, general) => (role === 'SENCO' ? 200 : general),
    call: async (w, target) => {
      const pupilId = await makePupil(w[target].school2Id);
      // Always into the caller's own school: the pupil's starting place is what is in or out of scope.
      return { path: `/api/v1/pupils/${pupilId}/transfer`, body: { schoolId: w.own.schoolId, movedOn: todayInLondon() }, recordId: pupilId };
    },
  },
  'POST pupils/:id/leave': {
    dims: PUPIL_DIMS,
    call: async (w, target) => {
      const pupilId = await makePupil(w[target].schoolId);
      return { path: `/api/v1/pupils/${pupilId}/leave`, body: { leftOn: todayInLondon(), reason: 'MOVED_OUT_OF_AREA' }, recordId: pupilId };
    },
  },
  'GET pupils/:id/access-log': { dims: PUPIL_DIMS, call: async (w, target) => pupilCall(w, target, '/access-log') },
  'GET pupils/:id/support-plans': { dims: PUPIL_DIMS, call: async (w, target) => pupilCall(w, target, '/support-plans') },
  'POST pupils/:id/support-plans': {
    dims: PUPIL_DIMS,
    call: async (w, target) => {
      const call = await pupilCall(w, target, '/support-plans');
      return {
        ...call,
        body: {
          outcomes: [{ description: 'Joins in class discussion weekly' }],
          provision: [{ description: 'Talk partners', frequency: 'daily', by: 'class teacher' }],
          startOn: todayInLondon(),
          reviewOn: '2099-01-01',
        },
      };
    },
  },
  'GET support-plans/:id': {
    dims: PUPIL_DIMS,
    call: async (w, target) => {
      const planId = await makePlan(w[target].schoolId);
      return { path: `/api/v1/support-plans/${planId}`, recordId: planId };
    },
  },
  'POST support-plans/:id/reviews': {
    dims: PUPIL_DIMS,
    call: async (w, target) => {
      const planId = await makePlan(w[target].schoolId);
      return {
        path: `/api/v1/support-plans/${planId}/reviews`,
        body: { reviewedOn: todayInLondon(), outcomes: [{ outcomeIndex: 0, progress: 'PARTLY' }], nextStep: 'CONTINUE' },
        recordId: planId,
      };
    },
  },

  'GET support-requests': { call: async () => ({ path: '/api/v1/support-requests' }) },
  'POST support-requests': {
    inBody: true,
    call: async (w, target) => {
      const pupilId = await makePupil(w[target].schoolId);
      const [service] = await t.dataSource.query(`SELECT code FROM service WHERE id = $1`, [w[target].serviceId]);
      return {
        path: '/api/v1/support-requests',
        body: { pupilId, serviceCode: service.code, reason: 'Matrix request', urgency: 'ROUTINE', unitsRequested: 2.5 },
        recordId: pupilId,
      };
    },
  },
  'GET support-requests/:id': {
    dims: REQUEST_DIMS,
    call: async (w, target) => {
      const requestId = await makeRequest(w[target], 'SUBMITTED');
      return { path: `/api/v1/support-requests/${requestId}`, recordId: requestId };
    },
  },
  'POST support-requests/:id/submit': {
    dims: REQUEST_DIMS,
    call: async (w, target) => {
      const requestId = await makeRequest(w[target], 'DRAFT');
      return { path: `/api/v1/support-requests/${requestId}/submit`, recordId: requestId };
    },
  },
  'POST support-requests/:id/withdraw': {
    dims: REQUEST_DIMS,
    call: async (w, target) => {
      const requestId = await makeRequest(w[target], 'SUBMITTED');
      return { path: `/api/v1/support-requests/${requestId}/withdraw`, body: { reason: 'Matrix withdrawal' }, recordId: requestId };
    },
  },

  'GET deadlines': { call: async () => ({ path: '/api/v1/deadlines' }) },
  'GET sla-rules': { call: async () => ({ path: '/api/v1/sla-rules' }) },
  'PATCH sla-rules/:kind': {
    call: async () => {
      const [rule] = await t.dataSource.query(`SELECT version, duration_value FROM sla_rule WHERE kind = 'ALLOCATION_ACCEPTANCE'`);
      return { path: '/api/v1/sla-rules/ALLOCATION_ACCEPTANCE', body: { durationValue: rule.duration_value === 2 ? 3 : 2, version: rule.version } };
    },
  },

  // Dashboards (issue 8): a locality filter outside the caller's scope answers 404.
  'GET dashboards/timeliness': {
    dims: ['localityId', 'area'],
    call: async (w, target) => ({ path: `/api/v1/dashboards/timeliness?groupBy=school&localityId=${w[target].localityId}`, recordId: w[target].localityId }),
  },
  'GET dashboards/overdue': {
    dims: ['localityId', 'area'],
    call: async (w, target) => ({ path: `/api/v1/dashboards/overdue?localityId=${w[target].localityId}`, recordId: w[target].localityId }),
  },
  // The EHC and locality-model dashboards and the SEN2 export (issue 8, rest): same locality 404 rule.
  'GET dashboards/ehc-20-week': {
    dims: ['localityId', 'area'],
    call: async (w, target) => ({ path: `/api/v1/dashboards/ehc-20-week?groupBy=month&localityId=${w[target].localityId}`, recordId: w[target].localityId }),
  },
  'GET dashboards/ehc-requests': {
    dims: ['localityId', 'area'],
    call: async (w, target) => ({ path: `/api/v1/dashboards/ehc-requests?localityId=${w[target].localityId}`, recordId: w[target].localityId }),
  },
  'GET dashboards/annual-reviews': {
    dims: ['localityId', 'area'],
    call: async (w, target) => ({ path: `/api/v1/dashboards/annual-reviews?localityId=${w[target].localityId}`, recordId: w[target].localityId }),
  },
  'GET dashboards/locality-model': {
    dims: ['localityId', 'area'],
    call: async (w, target) => ({ path: `/api/v1/dashboards/locality-model?groupBy=organisation&localityId=${w[target].localityId}`, recordId: w[target].localityId }),
  },
  'GET exports/sen2': { call: async () => ({ path: '/api/v1/exports/sen2?year=2026&module=requests' }) },

  'GET resource-pools': { call: async () => ({ path: '/api/v1/resource-pools' }) },
  'POST resource-pools': {
    inBody: true,
    // A year of its own per call, so no two pools of a locality and service overlap.
    call: async (w, target) => {
      const year = 2200 + n++;
      const [service] = await t.dataSource.query(`SELECT code FROM service WHERE id = $1`, [w[target].serviceId]);
      return {
        path: '/api/v1/resource-pools',
        body: { localityId: w[target].localityId, serviceCode: service.code, periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, capacityUnits: 10 },
      };
    },
  },
  'GET resource-pools/:id': {
    dims: ['localityId', 'area'],
    call: async (w, target) => {
      const year = 2200 + n++;
      const [pool] = await t.dataSource.query(
        `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units)
         SELECT $1, code, $3::date, $4::date, 10 FROM service WHERE id = $2 RETURNING id`,
        [w[target].localityId, w[target].serviceId, `${year}-01-01`, `${year}-12-31`],
      );
      return { path: `/api/v1/resource-pools/${pool.id}`, recordId: pool.id };
    },
  },

  // Panels (issue 5): meetings, agendas, decisions, the panel's allocation changes, pool figures per school.
  'GET panel-meetings': { call: async () => ({ path: '/api/v1/panel-meetings' }) },
  'POST panel-meetings': {
    inBody: true,
    call: async (w, target) => ({
      path: '/api/v1/panel-meetings',
      body: { localityId: w[target].localityId, meetingOn: todayInLondon(), chair: 'Matrix chair', attendees: ['Matrix attendee'], declaredInterests: [] },
    }),
  },
  'GET panel-meetings/:id': {
    dims: ['localityId', 'area'],
    call: async (w, target) => {
      const meetingId = await makeMeeting(w[target]);
      return { path: `/api/v1/panel-meetings/${meetingId}`, recordId: meetingId };
    },
  },
  'GET panel-meetings/:id/agenda': {
    dims: ['localityId', 'area'],
    call: async (w, target) => {
      const meetingId = await makeMeeting(w[target]);
      return { path: `/api/v1/panel-meetings/${meetingId}/agenda`, recordId: meetingId };
    },
  },
  'POST support-requests/:id/decision': {
    dims: REQUEST_DIMS,
    call: async (w, target) => {
      const requestId = await makeRequest(w[target], 'SUBMITTED');
      return { path: `/api/v1/support-requests/${requestId}/decision`, body: { outcome: 'DECLINED', decidedOn: todayInLondon(), reason: 'Matrix decision' }, recordId: requestId };
    },
  },
  'POST allocations/:id/cancel': {
    dims: ['schoolId', 'localityId', 'area', 'organisationId'],
    call: async (w, target) => {
      const allocationId = await makeAllocation(w[target]);
      return { path: `/api/v1/allocations/${allocationId}/cancel`, body: { reason: 'Matrix cancel' }, recordId: allocationId };
    },
  },
  'POST allocations/:id/extend': {
    dims: ['schoolId', 'localityId', 'area', 'organisationId'],
    call: async (w, target) => {
      const allocationId = await makeAllocation(w[target]);
      return { path: `/api/v1/allocations/${allocationId}/extend`, body: { additionalUnits: 1 }, recordId: allocationId };
    },
  },
  'GET resource-pools/:id/by-school': {
    dims: ['localityId', 'area'],
    call: async (w, target) => {
      const poolId = await makePool(w[target]);
      return { path: `/api/v1/resource-pools/${poolId}/by-school`, recordId: poolId };
    },
  },
  // Provider delivery (issue 6): an allocation sits in its school, the allocating locality, that
  // locality's area and the provider organisation.
  'GET allocations': { call: async () => ({ path: '/api/v1/allocations' }) },
  'GET allocations/:id': { dims: ALLOCATION_DIMS, call: async (w, target) => allocationCall(w, target, 'OFFERED', '') },
  'POST allocations/:id/accept': { dims: ALLOCATION_DIMS, call: async (w, target) => allocationCall(w, target, 'OFFERED', '/accept') },
  'POST allocations/:id/decline': {
    dims: ALLOCATION_DIMS,
    call: async (w, target) => ({ ...(await allocationCall(w, target, 'OFFERED', '/decline')), body: { reason: 'Matrix decline' } }),
  },
  'POST allocations/:id/complete': {
    dims: ALLOCATION_DIMS,
    call: async (w, target) => ({ ...(await allocationCall(w, target, 'ACCEPTED', '/complete')), body: { outcome: 'NEED_MET', summary: 'Matrix outcome' } }),
  },
  'POST allocations/:id/sessions': {
    dims: ALLOCATION_DIMS,
    call: async (w, target) => ({
      ...(await allocationCall(w, target, 'ACCEPTED', '/sessions')),
      body: { deliveredOn: todayInLondon(), durationMinutes: 60, attended: true },
    }),
  },
  'GET allocations/:id/sessions': { dims: ALLOCATION_DIMS, call: async (w, target) => allocationCall(w, target, 'ACCEPTED', '/sessions') },
  // EHC needs assessments and advice requests (issue 7): cases scoped by the pupil's school;
  // advice requests by the pupil's school or, for a PROVIDER, the organisation asked.
  'GET ehc-assessments': { call: async () => ({ path: '/api/v1/ehc-assessments' }) },
  'POST ehc-assessments': {
    inBody: true,
    call: async (w, target) => {
      const pupilId = await makePupil(w[target].schoolId);
      return { path: '/api/v1/ehc-assessments', body: { pupilId, requestReceivedOn: todayInLondon(), requestedBy: 'PARENT' }, recordId: pupilId };
    },
  },
  'GET ehc-assessments/:id': { dims: PUPIL_DIMS, call: async (w, target) => ehcCall(w, target, 'REQUESTED', '') },
  'POST ehc-assessments/:id/decision-to-assess': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({ ...(await ehcCall(w, target, 'REQUESTED', '/decision-to-assess')), body: { decision: true, decidedOn: todayInLondon() } }),
  },
  'POST ehc-assessments/:id/issue-decision': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({ ...(await ehcCall(w, target, 'ASSESSING', '/issue-decision')), body: { decision: true, decidedOn: todayInLondon() } }),
  },
  'POST ehc-assessments/:id/final-plan': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({ ...(await ehcCall(w, target, 'DRAFT_ISSUED', '/final-plan')), body: { issuedOn: todayInLondon() } }),
  },
  'POST ehc-assessments/:id/withdraw': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({ ...(await ehcCall(w, target, 'ASSESSING', '/withdraw')), body: { withdrawnOn: todayInLondon(), reason: 'Matrix' } }),
  },
  'POST ehc-assessments/:id/advice-requests': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({
      ...(await ehcCall(w, target, 'ASSESSING', '/advice-requests')),
      body: { adviceType: 'HEALTH', organisationId: w.own.organisationId, requestedOn: todayInLondon() },
    }),
  },
  'POST ehc-assessments/:id/exceptions': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({
      ...(await ehcCall(w, target, 'ASSESSING', '/exceptions')),
      body: { reason: 'PERSONAL_CIRCUMSTANCES', fromOn: todayInLondon(), toOn: todayInLondon() },
    }),
  },
  'POST ehc-assessments/:id/appeals': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({ ...(await ehcCall(w, target, 'ASSESSING', '/appeals')), body: { kind: 'MEDIATION', stage: 'ASSESSMENT', startedOn: todayInLondon() } }),
  },
  'GET advice-requests': { call: async () => ({ path: '/api/v1/advice-requests' }) },
  'POST advice-requests/:id/received': {
    dims: [...PUPIL_DIMS, 'organisationId'],
    call: async (w, target) => {
      const caseId = (await ehcCall(w, target, 'ASSESSING', '')).recordId!;
      const [advice] = await t.dataSource.query(
        `INSERT INTO advice_request (assessment_id, pupil_id, advice_type, organisation_id, requested_on)
         SELECT id, pupil_id, 'HEALTH', $2, $3::date FROM ehc_assessment WHERE id = $1 RETURNING id`,
        [caseId, w[target].organisationId, addDays(todayInLondon(), -14)],
      );
      await t.dataSource.query(
        `INSERT INTO deadline (kind, subject_type, subject_id, organisation_id, starts_on, due_on) VALUES ('EHC_ADVICE', 'ADVICE_REQUEST', $1, $2, $3::date, $3::date + 42)`,
        [advice.id, w[target].organisationId, addDays(todayInLondon(), -14)],
      );
      return { path: `/api/v1/advice-requests/${advice.id}/received`, body: { receivedOn: todayInLondon() }, recordId: advice.id };
    },
  },
  'GET ehc-plans': { call: async () => ({ path: '/api/v1/ehc-plans' }) },
  // A run over the plans in the caller's scope (counts only): like a list, no record to be out of scope.
  'POST ehc-plans/phase-transfers': { call: async () => ({ path: '/api/v1/ehc-plans/phase-transfers', body: { academicYear: academicYearOf(todayInLondon()) } }) },
  'GET ehc-plans/:id': { dims: PUPIL_DIMS, call: async (w, target) => planCall(w, target, '') },
  'POST ehc-plans/:id/annual-reviews': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({ ...(await planCall(w, target, '/annual-reviews')), body: { meetingOn: todayInLondon() } }),
  },
  'POST annual-reviews/:id/report-sent': {
    dims: PUPIL_DIMS,
    call: async (w, target) => reviewCall(w, target, 'MEETING_HELD', '/report-sent', { sentOn: todayInLondon() }),
  },
  'POST annual-reviews/:id/decision': {
    dims: PUPIL_DIMS,
    call: async (w, target) => reviewCall(w, target, 'REPORT_SENT', '/decision', { decision: 'MAINTAIN', decidedOn: todayInLondon() }),
  },
  'POST annual-reviews/:id/amendments-sent': {
    dims: PUPIL_DIMS,
    call: async (w, target) => reviewCall(w, target, 'AMENDING', '/amendments-sent', { sentOn: todayInLondon() }),
  },
  'POST annual-reviews/:id/amended-plan': {
    dims: PUPIL_DIMS,
    call: async (w, target) => reviewCall(w, target, 'AMENDMENTS_SENT', '/amended-plan', { issuedOn: todayInLondon() }),
  },

  'GET users': { call: async () => ({ path: '/api/v1/users' }) },
  'POST users': {
    call: async (w, target) => ({
      path: '/api/v1/users',
      body: { email: `matrix-${unique().toLowerCase()}@example.org`, name: 'Matrix SENCO', role: 'SENCO', password: 'a-matrix-password-77', schoolId: w[target].schoolId },
    }),
  },
  'GET users/:id': { call: async (w, target) => userCall(w, target, '') },
  'PATCH users/:id': {
    call: async (w, target) => {
      const call = await userCall(w, target, '');
      return { ...call, body: { name: `Renamed ${unique()}`, version: await version('app_user', call.recordId!) } };
    },
  },
  'POST users/:id/reset-password': { call: async (w, target) => userCall(w, target, '/reset-password') },
  'POST users/:id/unlock': { call: async (w, target) => userCall(w, target, '/unlock') },

  // Imports (issue 9): CSV bodies. A pupil row for a school out of the caller's scope is a row error (400).
  'POST imports/schools': {
    call: async (w, target) => {
      const [locality] = await t.dataSource.query(`SELECT code FROM locality WHERE id = $1`, [w[target].localityId]);
      return {
        path: '/api/v1/imports/schools',
        contentType: 'text/csv',
        body: `URN,EstablishmentName,PhaseOfEducation (name),TypeOfEstablishment (name),localityCode\n${600000 + n++},Matrix Import School,Primary,Community school,${locality.code}\n`,
      };
    },
  },
  'POST imports/pupils': {
    inBody: true,
    call: async (w, target) => {
      const body = `886${String(7000 + (n % 2000)).padStart(4, '0')}24${String(n++ % 1000).padStart(3, '0')}`;
      const [school] = await t.dataSource.query(`SELECT urn FROM school WHERE id = $1`, [w[target].schoolId]);
      return {
        path: '/api/v1/imports/pupils',
        contentType: 'text/csv',
        body: `upn,firstName,lastName,dateOfBirth,schoolUrn,senStatus,primaryNeed\n${upnCheckLetter(body)}${body},Ada,Import${n},2018-03-14,${school.urn},K,SPLD\n`,
      };
    },
  },
  // EHC import (issue 7): a pupil of the target's school by UPN; out of the caller's scope it is an unknown UPN (400).
  'POST imports/ehc-assessments': {
    inBody: true,
    call: async (w, target) => {
      const [pupil] = await t.dataSource.query(`SELECT upn FROM pupil WHERE id = $1`, [await makePupil(w[target].schoolId)]);
      return {
        path: '/api/v1/imports/ehc-assessments',
        contentType: 'text/csv',
        body:
          'upn,requestReceivedOn,requestedBy,decisionToAssess,decisionToAssessOn,issueDecision,issueDecisionOn,finalPlanIssuedOn,withdrawnOn,exceptionReason,exceptionFromOn,exceptionToOn\n' +
          `${pupil.upn},2025-01-06,PARENT,N,2025-02-10,,,,,,,\n`,
      };
    },
  },
  // Data protection (ADMIN only, county-wide): a fresh pupil each call, so an erasure never meets an erased one.
  'GET pupils/:id/subject-access-export': { dims: PUPIL_DIMS, call: async (w, target) => pupilCall(w, target, '/subject-access-export') },
  'POST pupils/:id/erasure': {
    dims: PUPIL_DIMS,
    call: async (w, target) => ({ ...(await pupilCall(w, target, '/erasure')), body: { reason: 'SUBJECT_REQUEST' } }),
  },
};

/** A pupil on SEN support at a school, written straight to the table (a valid UPN each time). */
async function makePupil(schoolId: string): Promise<string> {
  const body = `886${String(4000 + (n % 5000)).padStart(4, '0')}26${String(n++ % 1000).padStart(3, '0')}`;
  const [pupil] = await t.dataSource.query(
    `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
     VALUES ($1, 'Matrix', $2, 'matrix', $3, '2017-05-04', $4, 'K', 'SLCN') RETURNING id`,
    [`${upnCheckLetter(body)}${body}`, `Pupil ${n}`, nameKey(`Pupil ${n}`), schoolId],
  );
  return pupil.id;
}

/** An open support cycle for a fresh pupil of the school. */
async function makePlan(schoolId: string): Promise<string> {
  const pupilId = await makePupil(schoolId);
  const [plan] = await t.dataSource.query(
    `INSERT INTO support_plan (pupil_id, school_id, outcomes, provision, start_on, review_on)
     VALUES ($1, $2, '[{"description":"Reads 40 words a minute"}]', '[{"description":"Phonics","frequency":"daily","by":"TA"}]', '2026-09-01', '2026-12-01')
     RETURNING id`,
    [pupilId, schoolId],
  );
  return plan.id;
}

/** A support request for a fresh pupil of the place's school, heard by its locality. */
async function makeRequest(place: Place, status: 'DRAFT' | 'SUBMITTED'): Promise<string> {
  const pupilId = await makePupil(place.schoolId);
  const [request] = await t.dataSource.query(
    `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
     VALUES ($1, $2, $3, (SELECT code FROM service WHERE id = $4), 'Matrix request', 'ROUTINE', 4, $5, $6) RETURNING id`,
    [pupilId, place.schoolId, place.localityId, place.serviceId, status, status === 'DRAFT' ? null : todayInLondon()],
  );
  return request.id;
}

/** A meeting of the place's locality. */
async function makeMeeting(place: Place): Promise<string> {
  const [meeting] = await t.dataSource.query(`INSERT INTO panel_meeting (locality_id, meeting_on, chair) VALUES ($1, $2, 'Matrix chair') RETURNING id`, [
    place.localityId,
    todayInLondon(),
  ]);
  return meeting.id;
}

/** A pool of the place's locality and service, its own period start, open today, capacity 10. */
async function makePool(place: Place): Promise<string> {
  const [pool] = await t.dataSource.query(
    `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units)
     SELECT $1, code, $3::date - $4::int, $3::date + 365, 10 FROM service WHERE id = $2 RETURNING id`,
    [place.localityId, place.serviceId, todayInLondon(), 1 + n++],
  );
  return pool.id;
}

/** A fresh allocation of the place's service (HOURS) to its organisation, OFFERED or ACCEPTED today (the test factory keeps the pool's ledger). */
async function makeAllocation(place: Place, status: 'OFFERED' | 'ACCEPTED' = 'OFFERED'): Promise<string> {
  const pupilId = await makePupil(place.schoolId);
  const [service] = await t.dataSource.query(`SELECT code FROM service WHERE id = $1`, [place.serviceId]);
  const allocation = await createAllocation(t, {
    pupilId,
    schoolId: place.schoolId,
    localityId: place.localityId,
    organisationId: place.organisationId,
    serviceCode: service.code,
    units: 4,
    offeredOn: todayInLondon(),
  });
  if (status === 'ACCEPTED') await t.dataSource.query(`UPDATE allocation SET status = 'ACCEPTED', accepted_on = offered_on WHERE id = $1`, [allocation.id]);
  return allocation.id;
}

async function allocationCall(w: World, target: Target, status: 'OFFERED' | 'ACCEPTED', suffix: string): Promise<Call> {
  const allocationId = await makeAllocation(w[target], status);
  return { path: `/api/v1/allocations/${allocationId}${suffix}`, recordId: allocationId };
}

/** An EHC case at a stage for a fresh pupil of the target school (steps dated in the past). */
async function ehcCall(w: World, target: Target, stage: 'REQUESTED' | 'ASSESSING' | 'DRAFT_ISSUED', suffix: string): Promise<Call> {
  const pupilId = await makePupil(w[target].schoolId);
  const day = (weeks: number) => addDays(todayInLondon(), -7 * weeks);
  const [ehc] = await t.dataSource.query(
    `INSERT INTO ehc_assessment (pupil_id, request_received_on, requested_by, stage, decision_to_assess, decision_to_assess_on, issue_decision, issue_decision_on)
     VALUES ($1, $2, 'PARENT', $3, $4, $5, $6, $7) RETURNING id`,
    [
      pupilId,
      day(10),
      stage,
      stage === 'REQUESTED' ? null : true,
      stage === 'REQUESTED' ? null : day(8),
      stage === 'DRAFT_ISSUED' ? true : null,
      stage === 'DRAFT_ISSUED' ? day(2) : null,
    ],
  );
  return { path: `/api/v1/ehc-assessments/${ehc.id}${suffix}`, recordId: ehc.id };
}

/** An EHC plan issued a year ago for a fresh pupil of the target school. */
async function planCall(w: World, target: Target, suffix: string): Promise<Call> {
  const pupilId = await makePupil(w[target].schoolId);
  const [plan] = await t.dataSource.query(
    `INSERT INTO ehc_plan (pupil_id, issued_on, primary_need) VALUES ($1, $2, 'SLCN') RETURNING id`,
    [pupilId, addDays(todayInLondon(), -365)],
  );
  return { path: `/api/v1/ehc-plans/${plan.id}${suffix}`, recordId: plan.id };
}

/** An annual review at a stage, its steps dated in the past. */
async function reviewCall(w: World, target: Target, stage: string, suffix: string, body: object): Promise<Call> {
  const planId = (await planCall(w, target, '')).recordId!;
  const day = (n: number) => addDays(todayInLondon(), -n);
  const decided = ['AMENDING', 'AMENDMENTS_SENT'].includes(stage);
  const [review] = await t.dataSource.query(
    `INSERT INTO annual_review (plan_id, pupil_id, stage, meeting_on, report_sent_on, decision, decided_on, amendments_sent_on)
     SELECT id, pupil_id, $2, $3, $4, $5, $6, $7 FROM ehc_plan WHERE id = $1 RETURNING id`,
    [planId, stage, day(30), stage === 'MEETING_HELD' ? null : day(20), decided ? 'AMEND' : null, decided ? day(10) : null, stage === 'AMENDMENTS_SENT' ? day(5) : null],
  );
  return { path: `/api/v1/annual-reviews/${review.id}${suffix}`, body, recordId: review.id };
}

/** A fresh pupil of the target school, so calls that change a pupil never collide. */
async function pupilCall(w: World, target: Target, suffix: string): Promise<Call> {
  const pupilId = await makePupil(w[target].schoolId);
  return { path: `/api/v1/pupils/${pupilId}${suffix}`, recordId: pupilId };
}

/** A throwaway SENCO of the target school, so account changes never touch the matrix's callers. */
async function userCall(w: World, target: Target, suffix: string): Promise<Call> {
  const user = await freshUser('SENCO', { schoolId: w[target].schoolId });
  return { path: `/api/v1/users/${user.id}${suffix}`, recordId: user.id };
}

function routeKey(route: RouteInfo): string {
  return `${route.method} ${route.path}`;
}

/** 403 when the role has no grant; 404 when the record lies outside the caller's scope. */
function expectedStatus(route: RouteInfo, fixture: Fixture, role: Role, target: Target, filter: ScopeFilter | undefined): number {
  if (!scopeFor(role, route.action!)) return 403;
  const general = ((): number => {
    if ((fixture.dims || fixture.inBody) && filter) {
      const outOfScope = fixture.inBody ? 400 : 404;
      if (filter.nothing) return outOfScope;
      const restrictions = (Object.keys(filter) as (keyof ScopeFilter)[]).filter((k) => filter[k] !== undefined);
      const dims: string[] = fixture.dims ?? PUPIL_DIMS;
      const reachable = restrictions.every((k) => dims.includes(k)) && (target === 'own' || restrictions.length === 0);
      if (!reachable) return outOfScope;
    }
    return route.successStatus;
  })();
  return fixture.expect ? fixture.expect(role, target, general) : general;
}

describe('access matrix: every route x every role x own/other scope', () => {
  let world: World;
  let routes: RouteInfo[];
  let cases = 0;

  beforeAll(async () => {
    t = await createTestApp();
    const place = async (area: string): Promise<Place> => {
      const [locality] = await t.dataSource.query(
        `INSERT INTO locality (code, name, area, district) VALUES ($1, $2, $3, 'Matrix') RETURNING id`,
        [`MXL-${unique()}`, `Matrix ${area}`, area],
      );
      const [school] = await t.dataSource.query(
        `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, 'Matrix school', 'PRIMARY', 'MAINSTREAM', $2) RETURNING id`,
        [String(400000 + n++), locality.id],
      );
      const [school2] = await t.dataSource.query(
        `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, 'Matrix school 2', 'PRIMARY', 'MAINSTREAM', $2) RETURNING id`,
        [String(400000 + n++), locality.id],
      );
      const [organisation] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ($1, 'NHS') RETURNING id`, [`Matrix org ${unique()}`]);
      const [service] = await t.dataSource.query(
        `INSERT INTO service (code, name, organisation_id, unit) VALUES ($1, 'Matrix service', $2, 'HOURS') RETURNING id`,
        [`MXS${unique()}`, organisation.id],
      );
      return { localityId: locality.id, area, schoolId: school.id, school2Id: school2.id, organisationId: organisation.id, serviceId: service.id };
    };
    const own = await place('North');
    const other = await place('South');
    const scopes: Record<Role, UserScope> = {
      SENCO: { schoolId: own.schoolId },
      PANEL: { localityId: own.localityId },
      PROVIDER: { organisationId: own.organisationId },
      CASEWORKER: { localityId: own.localityId },
      MANAGER: { localityId: own.localityId },
      ADMIN: {},
    };
    const users = {} as Record<Role, TestUser>;
    for (const role of ROLES) users[role] = await createUser(t, role, scopes[role]);
    world = { own, other, users, scopes };
    routes = listRoutes(t.app.get(DiscoveryService), t.app.get(MetadataScanner), t.app.get(Reflector));
  });

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`access matrix: ${cases} route x role x scope cases over ${routes?.length ?? 0} routes`);
    await t?.close();
  });

  it('has a fixture for every route and an action in the policy table for every non-public route', () => {
    const missing = routes.filter((r) => !FIXTURES[routeKey(r)]).map(routeKey);
    expect(missing).toEqual([]);
    const undeclared = routes.filter((r) => !r.public && (!r.action || !ACTIONS.includes(r.action))).map(routeKey);
    expect(undeclared).toEqual([]);
    expect(Object.keys(FIXTURES).filter((key) => !routes.some((r) => routeKey(r) === key))).toEqual([]);
  });

  it('public routes answer without a token', async () => {
    for (const route of routes.filter((r) => r.public)) {
      const call = await FIXTURES[routeKey(route)].call(world, 'own', 'ADMIN');
      const res = await t.http()[route.method.toLowerCase() as 'get' | 'post'](call.path).send(call.body);
      cases += 1;
      expect({ route: routeKey(route), status: res.status }).toEqual({
        route: routeKey(route),
        status: route.path === 'auth/login' ? 401 : route.successStatus,
      });
    }
  });

  it('every other route refuses a missing token with 401', async () => {
    for (const route of routes.filter((r) => !r.public)) {
      const call = await FIXTURES[routeKey(route)].call(world, 'own', 'ADMIN');
      const req = t.http()[route.method.toLowerCase() as 'get'](call.path);
      const res = await (call.contentType ? req.set('Content-Type', call.contentType) : req).send(call.body);
      cases += 1;
      expect({ route: routeKey(route), status: res.status, type: res.body.type }).toEqual({
        route: routeKey(route),
        status: 401,
        type: '/problems/unauthenticated',
      });
    }
  });

  it.each(ROLES)('as %s: each route answers as the policy table says, in and out of scope', async (role) => {
    const mismatches: string[] = [];
    const caller = callerOf(Object.assign(new User(), { id: world.users[role].id, ...nullScope(world.scopes[role]), role }));
    for (const route of routes.filter((r) => !r.public)) {
      const fixture = FIXTURES[routeKey(route)];
      for (const target of fixture.selfOnly ? (['own'] as const) : (['own', 'other'] as const)) {
        const scope = scopeFor(role, route.action!);
        const filter = scope ? scopeFilter(caller, scope) : undefined;
        const expected = expectedStatus(route, fixture, role, target, filter);
        const call = await fixture.call(world, target, role);
        const as = call.as ?? world.users[role];
        const req = t
          .http()
          [route.method.toLowerCase() as 'get'](call.path)
          .set('Authorization', as.bearer);
        const res = await (call.contentType ? req.set('Content-Type', call.contentType) : req).send(call.body);
        cases += 1;
        if (res.status !== expected) {
          mismatches.push(`${routeKey(route)} [${target}] expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
        if (res.status >= 400) {
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          // `instance` echoes the path the caller sent; nothing else may carry the record.
          const { instance: _path, ...rest } = res.body;
          if (call.recordId) expect(JSON.stringify(rest)).not.toContain(call.recordId);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});

function nullScope(scope: UserScope) {
  return {
    schoolId: scope.schoolId ?? null,
    localityId: scope.localityId ?? null,
    area: scope.area ?? null,
    organisationId: scope.organisationId ?? null,
    email: 'matrix@example.org',
    mustChangePassword: false,
  };
}

