import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { Allocation } from '../allocations/allocation.entity';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import type { FieldError } from '../common/problem/problem-type';
import { ProblemException } from '../common/problem/problem.exception';
import { Locality } from '../localities/locality.entity';
import { allocateFromPool } from '../pools/pool-ledger';
import { unitsProblem } from '../pools/units';
import { SupportRequestView } from '../support-requests/dto/support-request.dto';
import { decideAction, requestTransition } from '../support-requests/request-transitions';
import { APPROVING_OUTCOMES, SupportRequestDecision } from '../support-requests/support-request-decision.entity';
import { SupportRequest } from '../support-requests/support-request.entity';
import { TimelinessService } from '../timeliness/timeliness.service';
import { DecideSupportRequestDto } from './dto/decision.dto';

const REQUEST_SCOPE: ScopeColumns = { schoolId: 'r.school_id', localityId: 'r.locality_id', area: 'locality.area' };

/**
 * Panel decisions on support requests (API.md "Support requests and panels"). One transaction:
 * the request row is locked first (so one request is never decided twice at once), then every
 * check, then, for an approval, the pool's guarded UPDATE (allocateFromPool: the overspend guard),
 * the allocation and its ALLOCATION_ACCEPTANCE deadline, the decision row, the request's new
 * status and the REQUEST_DECISION deadline met (not for a deferral). Any refusal writes nothing.
 */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly timeliness: TimelinessService,
    private readonly clock: Clock,
  ) {}

  async decide(caller: Caller, scope: ScopeFilter, id: string, dto: DecideSupportRequestDto): Promise<SupportRequestView> {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      const qb = manager
        .getRepository(SupportRequest)
        .createQueryBuilder('r')
        .innerJoin(Locality, 'locality', 'locality.id = r.locality_id')
        .where('r.id = :id', { id });
      applyScope(qb, scope, REQUEST_SCOPE);
      const request = await qb.setLock('pessimistic_write', undefined, ['r']).getOne();
      if (!request) throw ProblemException.notFound('support request');
      const status = requestTransition(request.status, decideAction(dto.outcome));
      const approving = APPROVING_OUTCOMES.includes(dto.outcome);

      const errors = await this.check(manager, request, dto, approving, today);
      if (errors.length > 0) throw ProblemException.validation(errors);

      if (dto.meetingId) {
        const [conflict] = await manager.query(
          `SELECT 1 FROM panel_meeting_interest i
           WHERE i.meeting_id = $1 AND i.user_id = $2
             AND (i.school_id = $3 OR i.school_id = (SELECT school_id FROM pupil WHERE id = $4))
           LIMIT 1`,
          [dto.meetingId, caller.userId, request.schoolId, request.pupilId],
        );
        if (conflict) {
          throw new ProblemException(
            'conflict-of-interest',
            'you declared an interest in the pupil’s school at this meeting; another member of the panel must decide this request',
            undefined,
            { meetingId: dto.meetingId },
          );
        }
      }

      let allocation: Allocation | null = null;
      if (approving) {
        // The guarded UPDATE: refuses (409 capacity-exhausted) when the pool has fewer units left.
        await allocateFromPool(manager, dto.poolId!, dto.unitsApproved!);
        allocation = await manager.save(
          manager.create(Allocation, {
            requestId: request.id,
            pupilId: request.pupilId,
            schoolId: request.schoolId,
            localityId: request.localityId,
            poolId: dto.poolId!,
            organisationId: dto.organisationId!,
            serviceCode: request.serviceCode,
            units: dto.unitsApproved!,
            unitsUsed: 0,
            status: 'OFFERED',
            offeredOn: dto.decidedOn,
            acceptedOn: null,
            declinedOn: null,
            declineReason: null,
            firstSessionOn: null,
            completedOn: null,
            outcome: null,
            outcomeSummary: null,
            cancelledOn: null,
            cancelReason: null,
            createdBy: caller.userId,
          }),
        );
        await this.timeliness.open(manager, {
          kind: 'ALLOCATION_ACCEPTANCE',
          subjectType: 'ALLOCATION',
          subjectId: allocation.id,
          startsOn: dto.decidedOn,
          pupilId: request.pupilId,
          schoolId: request.schoolId,
          localityId: request.localityId,
          organisationId: allocation.organisationId,
        });
        await this.audit.record(manager, caller, {
          action: 'allocation.create',
          entityType: 'allocation',
          entityId: allocation.id,
          changedFields: ['organisationId', 'poolId', 'units'],
          place: { schoolId: request.schoolId, localityId: request.localityId, organisationId: allocation.organisationId, pupilId: request.pupilId },
        });
      }

      const decision = await manager.save(
        manager.create(SupportRequestDecision, {
          requestId: request.id,
          outcome: dto.outcome,
          decidedOn: dto.decidedOn,
          meetingId: dto.meetingId ?? null,
          decidedBy: caller.userId,
          unitsApproved: approving ? dto.unitsApproved! : null,
          poolId: approving ? dto.poolId! : null,
          organisationId: approving ? dto.organisationId! : null,
          allocationId: allocation?.id ?? null,
          reason: dto.reason,
        }),
      );
      request.status = status;
      // Heard again and decided: a provider's earlier decline no longer waits on the panel.
      if (dto.outcome !== 'DEFERRED') request.needsReallocation = false;
      const saved = await manager.save(request);
      if (dto.outcome !== 'DEFERRED') {
        await this.timeliness.meet(manager, { subjectType: 'SUPPORT_REQUEST', subjectId: request.id }, 'REQUEST_DECISION', dto.decidedOn);
      }
      await this.audit.record(manager, caller, {
        action: 'support-request.decide',
        entityType: 'support-request',
        entityId: request.id,
        // Field names only: the outcome and the reason are never in the audit trail.
        changedFields: ['decision', 'status'],
        place: { schoolId: request.schoolId, localityId: request.localityId, pupilId: request.pupilId },
      });
      return SupportRequestView.of(saved, decision);
    });
  }

  /** Every field problem of a decision, against the locked request; none writes anything. */
  private async check(
    manager: EntityManager,
    request: SupportRequest,
    dto: DecideSupportRequestDto,
    approving: boolean,
    today: string,
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    if (dto.decidedOn > today) errors.push({ field: 'decidedOn', message: 'must not be in the future' });
    else if (request.submittedOn && dto.decidedOn < request.submittedOn) {
      errors.push({ field: 'decidedOn', message: `must not be before the request was submitted (${request.submittedOn})` });
    } else {
      const [last] = await manager.query(`SELECT max(decided_on) AS last_on FROM support_request_decision WHERE request_id = $1`, [request.id]);
      const open = await this.timeliness.findOpen(manager, { subjectType: 'SUPPORT_REQUEST', subjectId: request.id }, 'REQUEST_DECISION');
      const floor = [last?.last_on, open?.startsOn].filter((d): d is string => !!d).sort().pop();
      if (floor && dto.decidedOn < floor) errors.push({ field: 'decidedOn', message: `must not be before the request was last heard (${floor})` });
    }

    if (dto.meetingId) {
      const [meeting] = await manager.query(`SELECT locality_id, meeting_on FROM panel_meeting WHERE id = $1`, [dto.meetingId]);
      if (!meeting || meeting.locality_id !== request.localityId) errors.push({ field: 'meetingId', message: 'unknown meeting of this locality' });
      else if (meeting.meeting_on > dto.decidedOn) {
        errors.push({ field: 'meetingId', message: `the meeting is on ${meeting.meeting_on}, after decidedOn` });
      }
    }

    if (!approving) {
      for (const field of ['unitsApproved', 'poolId', 'organisationId'] as const) {
        if (dto[field] !== undefined) errors.push({ field, message: `only an APPROVED or PARTIAL decision takes ${field}` });
      }
      return errors;
    }

    const [service] = await manager.query(`SELECT unit, organisation_id FROM service WHERE code = $1`, [request.serviceCode]);
    if (dto.unitsApproved === undefined) errors.push({ field: 'unitsApproved', message: `is required for ${dto.outcome}` });
    else {
      const problem = unitsProblem(service.unit, dto.unitsApproved);
      const requested = Number(request.unitsRequested);
      if (problem) errors.push({ field: 'unitsApproved', message: problem });
      else if (dto.outcome === 'APPROVED' && dto.unitsApproved !== requested) {
        errors.push({ field: 'unitsApproved', message: `APPROVED gives the ${requested} units requested; decide PARTIAL for fewer` });
      } else if (dto.outcome === 'PARTIAL' && dto.unitsApproved >= requested) {
        errors.push({ field: 'unitsApproved', message: `PARTIAL gives fewer than the ${requested} units requested` });
      }
    }

    if (dto.poolId === undefined) errors.push({ field: 'poolId', message: `is required for ${dto.outcome}` });
    else {
      const [pool] = await manager.query(`SELECT locality_id, service_code, period_start, period_end FROM resource_pool WHERE id = $1`, [dto.poolId]);
      if (!pool || pool.locality_id !== request.localityId) errors.push({ field: 'poolId', message: 'unknown pool of this locality' });
      else if (pool.service_code !== request.serviceCode) errors.push({ field: 'poolId', message: `the pool is for ${pool.service_code}, not ${request.serviceCode}` });
      else if (dto.decidedOn < pool.period_start || dto.decidedOn > pool.period_end) {
        errors.push({ field: 'poolId', message: `the pool’s period (${pool.period_start} to ${pool.period_end}) does not contain decidedOn` });
      }
    }

    if (dto.organisationId === undefined) errors.push({ field: 'organisationId', message: `is required for ${dto.outcome}` });
    else if (dto.organisationId !== service.organisation_id) {
      errors.push({ field: 'organisationId', message: `unknown organisation offering ${request.serviceCode}` });
    }
    return errors;
  }
}
