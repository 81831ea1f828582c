import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../access/caller';
import { scopeFor } from '../access/policy';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { assertVersion } from '../common/concurrency/expected-version';
import type { CalendarDate } from '../common/dates/calendar-date';
import { type Page, paginate } from '../common/pagination/paginate';
import type { FieldError } from '../common/problem/problem-type';
import { ProblemException } from '../common/problem/problem.exception';
import { Locality } from '../localities/locality.entity';
import { School } from '../localities/school.entity';
import { unitsProblem } from '../pools/units';
import { CatalogueService } from '../providers/service.entity';
import { Pupil } from '../pupils/pupil.entity';
import { SupportPlan } from '../support-plans/support-plan.entity';
import { type DeadlineSubject, TimelinessService } from '../timeliness/timeliness.service';
import { CreateSupportRequestDto, SupportRequestQueryDto, SupportRequestView, WithdrawSupportRequestDto } from './dto/support-request.dto';
import { requestTransition } from './request-transitions';
import { SupportRequestDecision } from './support-request-decision.entity';
import { SupportRequest } from './support-request.entity';

const DECISION_KIND = 'REQUEST_DECISION';

/** Where a request sits for the caller's scope, once `r` is joined to its `locality`. */
const REQUEST_SCOPE_COLUMNS: ScopeColumns = {
  schoolId: 'r.school_id',
  localityId: 'r.locality_id',
  area: 'locality.area',
};

/** A pupil's scope columns, once `pupil` is joined to its `school` and that to its `locality`. */
const PUPIL_SCOPE_COLUMNS: ScopeColumns = {
  schoolId: 'pupil.school_id',
  localityId: 'school.locality_id',
  area: 'locality.area',
};

interface PupilPlace {
  id: string;
  schoolId: string;
  localityId: string;
  leftOn: CalendarDate | null;
}

const subjectOf = (requestId: string): DeadlineSubject => ({ subjectType: 'SUPPORT_REQUEST', subjectId: requestId });

/**
 * Support requests from a SENCO to their locality panel. The request keeps the school and the
 * locality it was made in (the panel that hears it). Submitting opens the REQUEST_DECISION
 * deadline; withdrawing cancels it, in the same transaction as the change.
 */
@Injectable()
export class SupportRequestsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly timeliness: TimelinessService,
    private readonly clock: Clock,
  ) {}

  async list(caller: Caller, scope: ScopeFilter, query: SupportRequestQueryDto): Promise<Page<SupportRequestView>> {
    const qb = this.requestQuery(this.dataSource.manager);
    applyScope(qb, scope, REQUEST_SCOPE_COLUMNS);
    if (!mayWrite(caller)) qb.andWhere("r.status <> 'DRAFT'");
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.schoolId) qb.andWhere('r.school_id = :schoolId', { schoolId: query.schoolId });
    if (query.localityId) qb.andWhere('r.locality_id = :localityId', { localityId: query.localityId });
    if (query.pupilId) qb.andWhere('r.pupil_id = :pupilId', { pupilId: query.pupilId });
    const page = await paginate(qb, query, {
      sortable: { createdAt: 'r.created_at' },
      defaultSort: '-createdAt',
      idColumn: 'r.id',
    });
    const decisions = await latestDecisions(this.dataSource.manager, page.data.map((r) => r.id));
    return { data: page.data.map((r) => SupportRequestView.of(r, decisions.get(r.id))), nextCursor: page.nextCursor };
  }

  /** One request; a school's DRAFT is seen only by those who may write requests (its SENCO). */
  async get(caller: Caller, scope: ScopeFilter, id: string): Promise<SupportRequestView> {
    const request = await this.findInScope(this.dataSource.manager, scope, id, false);
    if (request.status === 'DRAFT' && !mayWrite(caller)) throw ProblemException.notFound('support request');
    const decisions = await latestDecisions(this.dataSource.manager, [request.id]);
    return SupportRequestView.of(request, decisions.get(request.id));
  }

  /** A DRAFT request for a pupil on roll at the caller's school. */
  async create(caller: Caller, scope: ScopeFilter, dto: CreateSupportRequestDto): Promise<SupportRequestView> {
    return this.dataSource.transaction(async (manager) => {
      const errors: FieldError[] = [];
      const pupil = await this.pupilInScope(manager, scope, dto.pupilId);
      if (!pupil) errors.push({ field: 'pupilId', message: 'unknown pupil' });
      else if (pupil.leftOn) errors.push({ field: 'pupilId', message: `the pupil left on ${pupil.leftOn}; requests are only made for pupils on roll` });
      const service = await manager.findOneBy(CatalogueService, { code: dto.serviceCode });
      if (!service) errors.push({ field: 'serviceCode', message: 'unknown service' });
      else {
        const problem = unitsProblem(service.unit, dto.unitsRequested);
        if (problem) errors.push({ field: 'unitsRequested', message: problem });
      }
      if (dto.supportPlanId) {
        const plan = await manager.findOneBy(SupportPlan, { id: dto.supportPlanId });
        if (!plan || plan.pupilId !== dto.pupilId) errors.push({ field: 'supportPlanId', message: 'unknown support plan for this pupil' });
      }
      if (errors.length > 0 || !pupil) throw ProblemException.validation(errors);

      const request = await manager.save(
        manager.create(SupportRequest, {
          pupilId: pupil.id,
          schoolId: pupil.schoolId,
          localityId: pupil.localityId,
          serviceCode: dto.serviceCode,
          supportPlanId: dto.supportPlanId ?? null,
          reason: dto.reason,
          urgency: dto.urgency,
          unitsRequested: dto.unitsRequested,
          status: 'DRAFT',
          submittedOn: null,
          withdrawnOn: null,
          withdrawReason: null,
          needsReallocation: false,
          reallocationReason: null,
          createdBy: caller.userId,
        }),
      );
      await this.audit.record(manager, caller, {
        action: 'support-request.create',
        entityType: 'support-request',
        entityId: request.id,
        changedFields: Object.keys(dto)
          .filter((key) => (dto as unknown as Record<string, unknown>)[key] !== undefined)
          .sort(),
        place: { schoolId: request.schoolId, localityId: request.localityId, pupilId: request.pupilId },
      });
      return SupportRequestView.of(request);
    });
  }

  /** DRAFT -> SUBMITTED: the panel may now hear it; opens the REQUEST_DECISION deadline. */
  async submit(caller: Caller, scope: ScopeFilter, id: string, expectedVersion?: number): Promise<SupportRequestView> {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      const request = await this.findInScope(manager, scope, id, true);
      if (expectedVersion !== undefined) assertVersion('the support request', request.version, expectedVersion);
      request.status = requestTransition(request.status, 'SUBMIT');
      request.submittedOn = today;
      const saved = await manager.save(request);
      await this.timeliness.open(manager, {
        kind: DECISION_KIND,
        ...subjectOf(request.id),
        startsOn: today,
        pupilId: request.pupilId,
        schoolId: request.schoolId,
        localityId: request.localityId,
      });
      await this.audit.record(manager, caller, {
        action: 'support-request.submit',
        entityType: 'support-request',
        entityId: request.id,
        changedFields: ['status', 'submittedOn'],
        place: { schoolId: request.schoolId, localityId: request.localityId, pupilId: request.pupilId },
      });
      return SupportRequestView.of(saved, (await latestDecisions(manager, [saved.id])).get(saved.id));
    });
  }

  /** From any open state to WITHDRAWN; cancels the open REQUEST_DECISION deadline. */
  async withdraw(caller: Caller, scope: ScopeFilter, id: string, dto: WithdrawSupportRequestDto): Promise<SupportRequestView> {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      const request = await this.findInScope(manager, scope, id, true);
      request.status = requestTransition(request.status, 'WITHDRAW');
      request.withdrawnOn = today;
      request.withdrawReason = dto.reason;
      const saved = await manager.save(request);
      await this.timeliness.cancel(manager, subjectOf(request.id), today, [DECISION_KIND]);
      await this.audit.record(manager, caller, {
        action: 'support-request.withdraw',
        entityType: 'support-request',
        entityId: request.id,
        changedFields: ['status', 'withdrawReason', 'withdrawnOn'],
        place: { schoolId: request.schoolId, localityId: request.localityId, pupilId: request.pupilId },
      });
      return SupportRequestView.of(saved, (await latestDecisions(manager, [saved.id])).get(saved.id));
    });
  }

  private requestQuery(manager: EntityManager): SelectQueryBuilder<SupportRequest> {
    return manager
      .getRepository(SupportRequest)
      .createQueryBuilder('r')
      .innerJoin(Locality, 'locality', 'locality.id = r.locality_id');
  }

  /** The request, if the caller's scope reaches it; otherwise 404 (never saying it exists). */
  private async findInScope(manager: EntityManager, scope: ScopeFilter, id: string, lock: boolean): Promise<SupportRequest> {
    const qb = this.requestQuery(manager).where('r.id = :id', { id });
    applyScope(qb, scope, REQUEST_SCOPE_COLUMNS);
    if (lock) qb.setLock('pessimistic_write', undefined, ['r']);
    const request = await qb.getOne();
    if (!request) throw ProblemException.notFound('support request');
    return request;
  }

  /** The pupil named in a body, if in the caller's scope (by their current school); else undefined. */
  private async pupilInScope(manager: EntityManager, scope: ScopeFilter, pupilId: string): Promise<PupilPlace | undefined> {
    const qb = manager
      .createQueryBuilder(Pupil, 'pupil')
      .innerJoin(School, 'school', 'school.id = pupil.school_id')
      .innerJoin(Locality, 'locality', 'locality.id = school.locality_id')
      .select('pupil.id', 'id')
      .addSelect('pupil.school_id', 'schoolId')
      .addSelect('school.locality_id', 'localityId')
      .addSelect('pupil.left_on', 'leftOn')
      .where('pupil.id = :pupilId', { pupilId });
    applyScope(qb, scope, PUPIL_SCOPE_COLUMNS);
    return qb.getRawOne<PupilPlace>();
  }
}

/** Drafts are the school's working copy: the panel and the county see a request once submitted. */
function mayWrite(caller: Caller): boolean {
  return scopeFor(caller.role, 'support-requests.write') !== undefined;
}

/** The latest decision of each request (one query for a page of requests). */
export async function latestDecisions(manager: EntityManager, requestIds: string[]): Promise<Map<string, SupportRequestDecision>> {
  if (requestIds.length === 0) return new Map();
  const rows = await manager
    .getRepository(SupportRequestDecision)
    .createQueryBuilder('d')
    .distinctOn(['d.request_id'])
    .where('d.request_id IN (:...requestIds)', { requestIds })
    .orderBy('d.request_id')
    .addOrderBy('d.created_at', 'DESC')
    .addOrderBy('d.id', 'DESC')
    .getMany();
  return new Map(rows.map((d) => [d.requestId, d]));
}
