import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../access/caller';
import { scopeFor } from '../access/policy';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { AccessLogWriter } from '../audit/access-log-writer';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { assertVersion } from '../common/concurrency/expected-version';
import { type CalendarDate, compareDates } from '../common/dates/calendar-date';
import { type Page, paginate } from '../common/pagination/paginate';
import type { FieldError } from '../common/problem/problem-type';
import { ProblemException } from '../common/problem/problem.exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { updateReturning } from '../database/update-returning';
import { Locality } from '../localities/locality.entity';
import { releaseToPool } from '../pools/pool-ledger';
import { CatalogueService } from '../providers/service.entity';
import { PupilMinimalView } from '../pupils/dto/pupil.dto';
import { PROVIDER_CASELOAD_CONDITIONS, providerAccessFrom } from '../pupils/pupils.service';
import { yearGroupFromBirth } from '../pupils/year-group';
import { type DeadlineSubject, TimelinessService } from '../timeliness/timeliness.service';
import { Allocation, type AllocationStatus } from './allocation.entity';
import { type AllocationAction, nextStatus, sessionUnits, statusesAllowing } from './allocation-rules';
import { AllocationSession } from './allocation-session.entity';
import {
  AcceptAllocationDto,
  AllocationQueryDto,
  AllocationView,
  CompleteAllocationDto,
  CreateSessionDto,
  DeclineAllocationDto,
  SessionQueryDto,
  SessionView,
} from './dto/allocation.dto';
import { requestTransition } from '../support-requests/request-transitions';

/** Where an allocation sits for the caller's scope, once `a` is joined to its `locality`. */
const ALLOCATION_SCOPE_COLUMNS: ScopeColumns = {
  schoolId: 'a.school_id',
  localityId: 'a.locality_id',
  area: 'locality.area',
  organisationId: 'a.organisation_id',
};

const subjectOf = (allocationId: string): DeadlineSubject => ({ subjectType: 'ALLOCATION', subjectId: allocationId });

/** The due date of an allocation's deadline of a kind, from the one deadline table (latest opened). */
const dueOnSql = (kind: 'ALLOCATION_ACCEPTANCE' | 'DELIVERY_START') =>
  `(SELECT dl.due_on FROM deadline dl WHERE dl.subject_type = 'ALLOCATION' AND dl.subject_id = a.id AND dl.kind = '${kind}'
    ORDER BY dl.starts_on DESC, dl.created_at DESC LIMIT 1)`;
const ACCEPTANCE_DUE_SQL = dueOnSql('ALLOCATION_ACCEPTANCE');
const DELIVERY_START_DUE_SQL = dueOnSql('DELIVERY_START');

/** An aggregate over the allocation's sessions (attendance is attended / recorded, 4 places). */
const SESSIONS_SQL = (aggregate: string) => `(SELECT ${aggregate} FROM allocation_session s WHERE s.allocation_id = a.id)`;

/** Nullable due dates sort after every real date ascending (keyset pagination needs a NOT NULL key). */
const NO_DATE = '9999-12-31';
const SORTABLE: Record<string, string> = {
  createdAt: 'a.created_at',
  offeredOn: 'a.offered_on',
  acceptanceDueOn: `COALESCE(${ACCEPTANCE_DUE_SQL}, DATE '${NO_DATE}')`,
  deliveryStartDueOn: `COALESCE(${DELIVERY_START_DUE_SQL}, DATE '${NO_DATE}')`,
};

/** An allocation row as selected (aliases named as API fields; numerics still strings). */
interface AllocationRow {
  id: string;
  requestId: string;
  pupilId: string;
  poolId: string;
  organisationId: string;
  serviceCode: string;
  unit: AllocationView['unit'];
  units: string;
  unitsUsed: string;
  status: AllocationStatus;
  offeredOn: CalendarDate;
  acceptanceDueOn: CalendarDate | null;
  acceptedOn: CalendarDate | null;
  deliveryStartDueOn: CalendarDate | null;
  firstSessionOn: CalendarDate | null;
  completedOn: CalendarDate | null;
  outcome: AllocationView['outcome'];
  attendanceRate: string | null;
  daysToAcceptance: number | null;
  daysToFirstSession: number | null;
  sessionCount: number;
  sessionsAttended: number;
  schoolId: string;
  localityId: string;
  declinedOn: CalendarDate | null;
  declineReason: string | null;
  outcomeSummary: string | null;
  cancelledOn: CalendarDate | null;
  version: number;
  createdAt: Date;
  // PROVIDER only, while the pupil is in their caseload.
  pupilUpn?: string | null;
  pupilFirstName?: string;
  pupilLastName?: string;
  pupilDateOfBirth?: CalendarDate;
  pupilYearOffset?: number;
  pupilSchoolId?: string;
  pupilSchoolName?: string;
  pupilPrimaryNeed?: PupilMinimalView['primaryNeed'];
  pupilSecondaryNeed?: PupilMinimalView['secondaryNeed'];
  requestReason?: string | null;
  requestUnits?: string;
  requestUrgency?: 'ROUTINE' | 'URGENT';
}

/**
 * Provider delivery (API.md "Delivery", issue 6): the worklist of allocations in scope, and the
 * provider organisation's accept / decline / sessions / complete. Each use case is one
 * transaction holding the change, its deadlines, the pool and request movements and the audit
 * row. Due dates are read from the deadline table, never computed here; the figures
 * (attendanceRate, daysToAcceptance, daysToFirstSession) are computed in SQL.
 */
@Injectable()
export class AllocationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly timeliness: TimelinessService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accessLog: AccessLogWriter,
  ) {}

  async list(caller: Caller, scope: ScopeFilter, query: AllocationQueryDto): Promise<Page<AllocationView>> {
    const qb = this.allocationQuery(this.dataSource.manager, caller, scope);
    if (query.organisationId) qb.andWhere('a.organisation_id = :organisationId', { organisationId: query.organisationId });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (query.localityId) qb.andWhere('a.locality_id = :localityId', { localityId: query.localityId });
    if (query.schoolId) qb.andWhere('a.school_id = :schoolId', { schoolId: query.schoolId });
    if (query.pupilId) qb.andWhere('a.pupil_id = :pupilId', { pupilId: query.pupilId });
    if (query.serviceCode) qb.andWhere('a.service_code = :serviceCode', { serviceCode: query.serviceCode });
    if (query.acceptanceDueBefore) qb.andWhere(`${ACCEPTANCE_DUE_SQL} <= :acceptanceDueBefore::date`, { acceptanceDueBefore: query.acceptanceDueBefore });
    if (query.deliveryStartDueBefore) {
      qb.andWhere(`${DELIVERY_START_DUE_SQL} <= :deliveryStartDueBefore::date`, { deliveryStartDueBefore: query.deliveryStartDueBefore });
    }
    const page = await paginate<AllocationRow>(qb, query, {
      sortable: SORTABLE,
      defaultSort: '-createdAt',
      idColumn: 'a.id',
      raw: true,
      keyOf: (row, field) => {
        if (field === 'createdAt') return row.createdAt.toISOString();
        return (row[field as 'offeredOn' | 'acceptanceDueOn' | 'deliveryStartDueOn'] as string | null) ?? NO_DATE;
      },
    });
    return { data: page.data.map((row) => viewOf(row, this.clock.today())), nextCursor: page.nextCursor };
  }

  /**
   * One allocation; for a PROVIDER with the minimal pupil view, whose read writes an access row
   * ('pupil.read'), queued to the batched writer: a read needs no transaction of its own.
   */
  async get(caller: Caller, scope: ScopeFilter, id: string): Promise<AllocationView> {
    const row = await this.findRow(this.dataSource.manager, caller, scope, id);
    if (row.pupilFirstName !== undefined && row.pupilFirstName !== null) {
      this.accessLog.record(caller, {
        action: 'pupil.read',
        entityType: 'pupil',
        entityId: row.pupilId,
        place: { schoolId: row.pupilSchoolId, organisationId: row.organisationId, pupilId: row.pupilId },
      });
    }
    return viewOf(row, this.clock.today());
  }

  /** OFFERED -> ACCEPTED: meets ALLOCATION_ACCEPTANCE, opens DELIVERY_START with the service's target. */
  async accept(caller: Caller, scope: ScopeFilter, id: string, dto: AcceptAllocationDto): Promise<AllocationView> {
    const today = this.clock.today();
    const acceptedOn = dto.acceptedOn ?? today;
    assertNotFuture('acceptedOn', acceptedOn, today);
    return this.dataSource.transaction(async (manager) => {
      const allocation = await this.findForUpdate(manager, scope, id);
      if (dto.version !== undefined) assertVersion('the allocation', allocation.version, dto.version);
      const status = assertTransition(allocation.status, 'accept');
      assertNotBefore('acceptedOn', acceptedOn, allocation.offeredOn, 'the allocation was offered');
      allocation.status = status;
      allocation.acceptedOn = acceptedOn;
      await manager.save(allocation);
      await this.timeliness.meet(manager, subjectOf(allocation.id), 'ALLOCATION_ACCEPTANCE', acceptedOn);
      const service = await manager.findOneByOrFail(CatalogueService, { code: allocation.serviceCode });
      await this.timeliness.open(manager, {
        kind: 'DELIVERY_START',
        ...subjectOf(allocation.id),
        startsOn: acceptedOn,
        weeksOverride: service.deliveryStartWeeks,
        pupilId: allocation.pupilId,
        schoolId: allocation.schoolId,
        localityId: allocation.localityId,
        organisationId: allocation.organisationId,
      });
      await this.record(manager, caller, allocation, 'allocation.accept', ['acceptedOn', 'status']);
      return viewOf(await this.findRow(manager, caller, scope, id), today);
    });
  }

  /**
   * OFFERED -> DECLINED: a decline is a response, so it meets ALLOCATION_ACCEPTANCE. Every unit
   * goes back to the pool, and the request goes back to SUBMITTED with needsReallocation and the
   * provider's reason, with a fresh REQUEST_DECISION deadline from the day of the decline.
   */
  async decline(caller: Caller, scope: ScopeFilter, id: string, dto: DeclineAllocationDto): Promise<AllocationView> {
    const today = this.clock.today();
    const declinedOn = dto.declinedOn ?? today;
    assertNotFuture('declinedOn', declinedOn, today);
    return this.dataSource.transaction(async (manager) => {
      const allocation = await this.findForUpdate(manager, scope, id);
      if (dto.version !== undefined) assertVersion('the allocation', allocation.version, dto.version);
      const status = assertTransition(allocation.status, 'decline');
      assertNotBefore('declinedOn', declinedOn, allocation.offeredOn, 'the allocation was offered');
      allocation.status = status;
      allocation.declinedOn = declinedOn;
      allocation.declineReason = dto.reason;
      await manager.save(allocation);
      await this.timeliness.meet(manager, subjectOf(allocation.id), 'ALLOCATION_ACCEPTANCE', declinedOn);
      await releaseToPool(manager, allocation.poolId, Number(allocation.units));

      // The one request state machine decides where the request goes (APPROVED or PARTIALLY_APPROVED -> SUBMITTED).
      const [current] = await manager.query(`SELECT status FROM support_request WHERE id = $1 FOR UPDATE`, [allocation.requestId]);
      const requestStatus = requestTransition(current.status, 'PROVIDER_DECLINE');
      const [request] = await updateReturning<{ id: string; pupil_id: string; school_id: string; locality_id: string }>(
        manager,
        `UPDATE support_request
         SET status = $3, needs_reallocation = true, reallocation_reason = $2, version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING id, pupil_id, school_id, locality_id`,
        [allocation.requestId, dto.reason, requestStatus],
      );
      // The panel must hear it again: a fresh decision deadline (unless one is somehow still open).
      const requestSubject: DeadlineSubject = { subjectType: 'SUPPORT_REQUEST', subjectId: request.id };
      const stillOpen = await this.timeliness.findOpen(manager, requestSubject, 'REQUEST_DECISION');
      if (!stillOpen) {
        await this.timeliness.open(manager, {
          kind: 'REQUEST_DECISION',
          ...requestSubject,
          startsOn: declinedOn,
          pupilId: request.pupil_id,
          schoolId: request.school_id,
          localityId: request.locality_id,
        });
      }
      await this.record(manager, caller, allocation, 'allocation.decline', ['declineReason', 'declinedOn', 'status']);
      await this.audit.record(manager, caller, {
        action: 'support-request.reopen',
        entityType: 'support-request',
        entityId: request.id,
        changedFields: ['needsReallocation', 'reallocationReason', 'status'],
        place: { schoolId: request.school_id, localityId: request.locality_id, pupilId: request.pupil_id },
      });
      return viewOf(await this.findRow(manager, caller, scope, id), today);
    });
  }

  /** ACCEPTED or IN_DELIVERY -> COMPLETED with an outcome; a still-open DELIVERY_START is cancelled. */
  async complete(caller: Caller, scope: ScopeFilter, id: string, dto: CompleteAllocationDto): Promise<AllocationView> {
    const today = this.clock.today();
    const completedOn = dto.completedOn ?? today;
    assertNotFuture('completedOn', completedOn, today);
    return this.dataSource.transaction(async (manager) => {
      const allocation = await this.findForUpdate(manager, scope, id);
      if (dto.version !== undefined) assertVersion('the allocation', allocation.version, dto.version);
      const status = assertTransition(allocation.status, 'complete');
      assertNotBefore('completedOn', completedOn, allocation.acceptedOn as CalendarDate, 'the allocation was accepted');
      const [{ last }] = (await manager.query(`SELECT max(delivered_on) AS last FROM allocation_session WHERE allocation_id = $1`, [allocation.id])) as {
        last: CalendarDate | null;
      }[];
      if (last) assertNotBefore('completedOn', completedOn, last, 'the last session');
      allocation.status = status;
      allocation.completedOn = completedOn;
      allocation.outcome = dto.outcome;
      allocation.outcomeSummary = dto.summary;
      await manager.save(allocation);
      await this.timeliness.cancel(manager, subjectOf(allocation.id), completedOn, ['DELIVERY_START']);
      await this.record(manager, caller, allocation, 'allocation.complete', ['completedOn', 'outcome', 'outcomeSummary', 'status']);
      return viewOf(await this.findRow(manager, caller, scope, id), today);
    });
  }

  /**
   * Records a session. The units it uses (sessionUnits) are added by ONE guarded UPDATE whose
   * WHERE refuses going beyond the allocation (409, nothing written). The first session moves
   * ACCEPTED to IN_DELIVERY; the first attended one sets firstSessionOn and meets DELIVERY_START.
   */
  async addSession(caller: Caller, scope: ScopeFilter, id: string, dto: CreateSessionDto): Promise<SessionView> {
    const today = this.clock.today();
    assertNotFuture('deliveredOn', dto.deliveredOn, today);
    return this.dataSource.transaction(async (manager) => {
      const allocation = await this.findForUpdate(manager, scope, id);
      assertTransition(allocation.status, 'session');
      const errors: FieldError[] = [];
      if (compareDates(dto.deliveredOn, allocation.acceptedOn as CalendarDate) < 0) {
        errors.push({ field: 'deliveredOn', message: `must not be before the allocation was accepted (${allocation.acceptedOn})` });
      }
      const service = await manager.findOneByOrFail(CatalogueService, { code: allocation.serviceCode });
      const units = sessionUnits(service.unit, dto);
      if ('field' in units) errors.push({ field: units.field, message: units.message });
      if (errors.length > 0 || 'field' in units) throw ProblemException.validation(errors);

      const [updated] = await updateReturning<{ id: string }>(
        manager,
        `UPDATE allocation
         SET units_used = units_used + $2::numeric, status = 'IN_DELIVERY',
             first_session_on = CASE WHEN $3::boolean THEN LEAST(COALESCE(first_session_on, $4::date), $4::date) ELSE first_session_on END,
             version = version + 1, updated_at = now()
         WHERE id = $1 AND units_used + $2::numeric <= units
         RETURNING id`,
        [allocation.id, String(units.units), dto.attended, dto.deliveredOn],
      );
      if (!updated) {
        const remainingUnits = Math.round((Number(allocation.units) - Number(allocation.unitsUsed)) * 100) / 100;
        throw new ProblemException(
          'capacity-exhausted',
          `this session would use ${units.units} ${service.unit}, but only ${remainingUnits} of the ${Number(allocation.units)} allocated are left; the panel can extend the allocation`,
          undefined,
          { remainingUnits },
        );
      }
      const session = await manager.save(
        manager.create(AllocationSession, {
          allocationId: allocation.id,
          deliveredOn: dto.deliveredOn,
          durationMinutes: dto.durationMinutes,
          attended: dto.attended,
          absenceReason: dto.absenceReason ?? null,
          note: dto.note ?? null,
          unitsUsed: units.units,
          recordedBy: caller.userId,
        }),
      );
      if (dto.attended) await this.timeliness.meetByEarliest(manager, subjectOf(allocation.id), 'DELIVERY_START', dto.deliveredOn);
      const changed = allocation.status === 'ACCEPTED' ? ['status', 'unitsUsed'] : ['unitsUsed'];
      if (dto.attended) changed.push('firstSessionOn');
      await this.record(manager, caller, allocation, 'allocation.session', changed.sort(), session.id);
      return sessionView(session, true);
    });
  }

  /** An allocation's sessions, latest first; the note only for the provider organisation that wrote it. */
  async sessions(caller: Caller, scope: ScopeFilter, id: string, query: SessionQueryDto): Promise<Page<SessionView>> {
    await this.findRow(this.dataSource.manager, caller, scope, id);
    const qb = this.dataSource.getRepository(AllocationSession).createQueryBuilder('s').where('s.allocation_id = :id', { id });
    const page = await paginate(qb, query, { sortable: { deliveredOn: 's.delivered_on' }, defaultSort: '-deliveredOn', idColumn: 's.id' });
    const withNote = isProvider(caller);
    return { data: page.data.map((s) => sessionView(s, withNote)), nextCursor: page.nextCursor };
  }

  // --- queries -------------------------------------------------------------------------------

  /** Allocations in the caller's scope with their due dates and figures (raw rows, API field names). */
  private allocationQuery(manager: EntityManager, caller: Caller, scope: ScopeFilter): SelectQueryBuilder<object> {
    const qb = manager
      .createQueryBuilder()
      .select([
        'a.id AS id',
        'a.request_id AS "requestId"',
        'a.pupil_id AS "pupilId"',
        'a.pool_id AS "poolId"',
        'a.organisation_id AS "organisationId"',
        'a.service_code AS "serviceCode"',
        'sv.unit AS unit',
        'a.units AS units',
        'a.units_used AS "unitsUsed"',
        'a.status AS status',
        'a.offered_on AS "offeredOn"',
        `${ACCEPTANCE_DUE_SQL} AS "acceptanceDueOn"`,
        'a.accepted_on AS "acceptedOn"',
        `${DELIVERY_START_DUE_SQL} AS "deliveryStartDueOn"`,
        'a.first_session_on AS "firstSessionOn"',
        'a.completed_on AS "completedOn"',
        'a.outcome AS outcome',
        `${SESSIONS_SQL('round(count(*) FILTER (WHERE s.attended)::numeric / NULLIF(count(*), 0), 4)')} AS "attendanceRate"`,
        'a.accepted_on - a.offered_on AS "daysToAcceptance"',
        'a.first_session_on - a.offered_on AS "daysToFirstSession"',
        `${SESSIONS_SQL('count(*)::int')} AS "sessionCount"`,
        `${SESSIONS_SQL('(count(*) FILTER (WHERE s.attended))::int')} AS "sessionsAttended"`,
        'a.school_id AS "schoolId"',
        'a.locality_id AS "localityId"',
        'a.declined_on AS "declinedOn"',
        'a.decline_reason AS "declineReason"',
        'a.outcome_summary AS "outcomeSummary"',
        'a.cancelled_on AS "cancelledOn"',
        'a.version AS version',
        'a.created_at AS "createdAt"',
      ])
      .from('allocation', 'a')
      .innerJoin(Locality, 'locality', 'locality.id = a.locality_id')
      .innerJoin(CatalogueService, 'sv', 'sv.code = a.service_code');
    applyScope(qb, scope, ALLOCATION_SCOPE_COLUMNS);
    if (isProvider(caller)) {
      // The minimal pupil view and the request's reason and units, while the pupil is in the
      // organisation's caseload (the same rule as GET /pupils/:id).
      qb.leftJoin('pupil', 'pupil', `pupil.id = a.pupil_id AND (${PROVIDER_CASELOAD_CONDITIONS.join(' OR ')})`)
        .leftJoin('school', 'pschool', 'pschool.id = pupil.school_id')
        .leftJoin('support_request', 'sr', 'sr.id = a.request_id AND pupil.id IS NOT NULL')
        .addSelect([
          'pupil.upn AS "pupilUpn"',
          'pupil.first_name AS "pupilFirstName"',
          'pupil.last_name AS "pupilLastName"',
          'pupil.date_of_birth AS "pupilDateOfBirth"',
          'pupil.year_offset AS "pupilYearOffset"',
          'pupil.school_id AS "pupilSchoolId"',
          'pschool.name AS "pupilSchoolName"',
          'pupil.primary_need AS "pupilPrimaryNeed"',
          'pupil.secondary_need AS "pupilSecondaryNeed"',
          'sr.reason AS "requestReason"',
          'sr.units_requested AS "requestUnits"',
          'sr.urgency AS "requestUrgency"',
        ])
        .setParameter('scope_organisationId', caller.organisationId)
        .setParameter('scope_accessFrom', providerAccessFrom(this.clock.today(), this.config.providerAccessDaysAfterCompletion));
    }
    return qb;
  }

  private async findRow(manager: EntityManager, caller: Caller, scope: ScopeFilter, id: string): Promise<AllocationRow> {
    const row = await this.allocationQuery(manager, caller, scope).andWhere('a.id = :id', { id }).getRawOne<AllocationRow>();
    if (!row) throw ProblemException.notFound('allocation');
    return row;
  }

  /** The allocation, locked for the use case, if the caller's scope reaches it; otherwise 404. */
  private async findForUpdate(manager: EntityManager, scope: ScopeFilter, id: string): Promise<Allocation> {
    const qb = manager
      .getRepository(Allocation)
      .createQueryBuilder('a')
      .innerJoin(Locality, 'locality', 'locality.id = a.locality_id')
      .where('a.id = :id', { id });
    applyScope(qb, scope, ALLOCATION_SCOPE_COLUMNS);
    qb.setLock('pessimistic_write', undefined, ['a']);
    const allocation = await qb.getOne();
    if (!allocation) throw ProblemException.notFound('allocation');
    return allocation;
  }

  private record(manager: EntityManager, caller: Caller, a: Allocation, action: string, changedFields: string[], sessionId?: string): Promise<void> {
    return this.audit.record(manager, caller, {
      action,
      entityType: sessionId ? 'allocation-session' : 'allocation',
      entityId: sessionId ?? a.id,
      changedFields,
      place: { schoolId: a.schoolId, localityId: a.localityId, organisationId: a.organisationId, pupilId: a.pupilId },
    });
  }
}

/** A PROVIDER practitioner (the role whose pupil scope is their organisation's caseload). */
function isProvider(caller: Caller): boolean {
  return scopeFor(caller.role, 'pupils.read') === 'ORGANISATION_CASELOAD';
}

function assertTransition(current: AllocationStatus, action: AllocationAction): AllocationStatus {
  const next = nextStatus(current, action);
  if (next) return next;
  const verb = action === 'session' ? 'have a session recorded' : `be ${action === 'accept' ? 'accepted' : action === 'decline' ? 'declined' : 'completed'}`;
  throw new ProblemException(
    'invalid-transition',
    `the allocation is ${current}; only an allocation that is ${statusesAllowing(action).join(' or ')} can ${verb}`,
    undefined,
    { currentStatus: current },
  );
}

function assertNotFuture(field: string, date: CalendarDate, today: CalendarDate): void {
  if (compareDates(date, today) > 0) throw ProblemException.invalidField(field, 'must not be in the future');
}

function assertNotBefore(field: string, date: CalendarDate, earliest: CalendarDate, what: string): void {
  if (compareDates(date, earliest) < 0) throw ProblemException.invalidField(field, `must not be before ${what} (${earliest})`);
}

const toNumber = (value: string | number | null | undefined): number | null => (value === null || value === undefined ? null : Number(value));

function viewOf(row: AllocationRow, today: CalendarDate): AllocationView {
  const view: AllocationView = {
    id: row.id,
    requestId: row.requestId,
    pupilId: row.pupilId,
    poolId: row.poolId,
    organisationId: row.organisationId,
    serviceCode: row.serviceCode,
    unit: row.unit,
    units: Number(row.units),
    unitsUsed: Number(row.unitsUsed),
    status: row.status,
    offeredOn: row.offeredOn,
    acceptanceDueOn: row.acceptanceDueOn,
    acceptedOn: row.acceptedOn,
    deliveryStartDueOn: row.deliveryStartDueOn,
    firstSessionOn: row.firstSessionOn,
    completedOn: row.completedOn,
    outcome: row.outcome,
    attendanceRate: toNumber(row.attendanceRate),
    daysToAcceptance: toNumber(row.daysToAcceptance),
    daysToFirstSession: toNumber(row.daysToFirstSession),
    sessionCount: Number(row.sessionCount),
    sessionsAttended: Number(row.sessionsAttended),
    schoolId: row.schoolId,
    localityId: row.localityId,
    declinedOn: row.declinedOn,
    declineReason: row.declineReason,
    outcomeSummary: row.outcomeSummary,
    cancelledOn: row.cancelledOn,
    version: row.version,
  };
  if (row.pupilFirstName !== undefined) {
    const inCaseload = row.pupilFirstName !== null;
    view.pupil = inCaseload
      ? {
          id: row.pupilId,
          upn: row.pupilUpn as string,
          firstName: row.pupilFirstName as string,
          lastName: row.pupilLastName as string,
          dateOfBirth: row.pupilDateOfBirth as string,
          yearGroup: yearGroupFromBirth(row.pupilDateOfBirth as string, today) + Number(row.pupilYearOffset),
          schoolId: row.pupilSchoolId as string,
          schoolName: row.pupilSchoolName as string,
          primaryNeed: row.pupilPrimaryNeed ?? null,
          secondaryNeed: row.pupilSecondaryNeed ?? null,
        }
      : null;
    view.request = inCaseload
      ? { reason: row.requestReason as string, unitsRequested: Number(row.requestUnits), urgency: row.requestUrgency as 'ROUTINE' | 'URGENT' }
      : null;
  }
  return view;
}

function sessionView(s: AllocationSession, withNote: boolean): SessionView {
  const view: SessionView = {
    id: s.id,
    allocationId: s.allocationId,
    deliveredOn: s.deliveredOn,
    durationMinutes: s.durationMinutes,
    attended: s.attended,
    absenceReason: s.absenceReason,
    unitsUsed: Number(s.unitsUsed),
    recordedBy: s.recordedBy,
  };
  if (withNote) view.note = s.note;
  return view;
}
