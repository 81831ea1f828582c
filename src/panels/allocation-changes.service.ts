import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { Allocation } from '../allocations/allocation.entity';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { ProblemException } from '../common/problem/problem.exception';
import { Locality } from '../localities/locality.entity';
import { allocateFromPool, type PoolBalance, releaseToPool } from '../pools/pool-ledger';
import { unitsProblem } from '../pools/units';
import { TimelinessService } from '../timeliness/timeliness.service';
import { AllocationChangeView, CancelAllocationDto, ExtendAllocationDto } from './dto/allocation-change.dto';
import { nextStatus, statusesAllowing } from '../allocations/allocation-rules';

const ALLOCATION_SCOPE: ScopeColumns = { schoolId: 'a.school_id', localityId: 'a.locality_id', area: 'locality.area' };

/** Allocations the panel may still cancel or extend: not declined, completed or cancelled. */

/**
 * The panel's changes to an allocation (API.md "Delivery": cancel, extend), in one transaction
 * each, moving units only through the pool ledger: cancelling returns the unused units
 * (units - unitsUsed) and closes the allocation's open deadlines; extending draws more from the
 * same pool with the guarded UPDATE (409 capacity-exhausted when it has too few left).
 */
@Injectable()
export class AllocationChangesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly timeliness: TimelinessService,
    private readonly clock: Clock,
  ) {}

  async cancel(caller: Caller, scope: ScopeFilter, id: string, dto: CancelAllocationDto): Promise<AllocationChangeView> {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      const allocation = await this.lockInScope(manager, scope, id);
      assertChangeable(allocation, 'cancel');
      const unused = Math.round((Number(allocation.units) - Number(allocation.unitsUsed)) * 100) / 100;
      const balance = unused > 0 ? await releaseToPool(manager, allocation.poolId, unused) : await poolBalance(manager, allocation.poolId);
      allocation.status = 'CANCELLED';
      allocation.cancelledOn = today;
      allocation.cancelReason = dto.reason;
      const saved = await manager.save(allocation);
      await this.timeliness.cancel(manager, { subjectType: 'ALLOCATION', subjectId: allocation.id }, today);
      await this.audit.record(manager, caller, {
        action: 'allocation.cancel',
        entityType: 'allocation',
        entityId: allocation.id,
        changedFields: ['cancelReason', 'cancelledOn', 'status'],
        place: placeOf(allocation),
      });
      return AllocationChangeView.of(saved, balance);
    });
  }

  async extend(caller: Caller, scope: ScopeFilter, id: string, dto: ExtendAllocationDto): Promise<AllocationChangeView> {
    return this.dataSource.transaction(async (manager) => {
      const allocation = await this.lockInScope(manager, scope, id);
      assertChangeable(allocation, 'extend');
      const [service] = await manager.query(`SELECT unit FROM service WHERE code = $1`, [allocation.serviceCode]);
      const problem = unitsProblem(service.unit, dto.additionalUnits);
      if (problem) throw ProblemException.invalidField('additionalUnits', problem);
      const [pool] = await manager.query(`SELECT period_end FROM resource_pool WHERE id = $1`, [allocation.poolId]);
      if (pool.period_end < this.clock.today()) {
        throw new ProblemException(
          'invalid-transition',
          `the allocation's pool closed on ${pool.period_end}: more units come from a new decision on a current pool`,
          undefined,
          { currentStatus: allocation.status, poolPeriodEnd: pool.period_end },
        );
      }
      const balance = await allocateFromPool(manager, allocation.poolId, dto.additionalUnits);
      allocation.units = Math.round((Number(allocation.units) + dto.additionalUnits) * 100) / 100;
      const saved = await manager.save(allocation);
      await this.audit.record(manager, caller, {
        action: 'allocation.extend',
        entityType: 'allocation',
        entityId: allocation.id,
        changedFields: ['units'],
        place: placeOf(allocation),
      });
      return AllocationChangeView.of(saved, balance);
    });
  }

  /** The allocation locked FOR UPDATE, if in the caller's scope; otherwise 404. */
  private async lockInScope(manager: EntityManager, scope: ScopeFilter, id: string): Promise<Allocation> {
    const qb = manager
      .getRepository(Allocation)
      .createQueryBuilder('a')
      .innerJoin(Locality, 'locality', 'locality.id = a.locality_id')
      .where('a.id = :id', { id });
    applyScope(qb, scope, ALLOCATION_SCOPE);
    const allocation = await qb.setLock('pessimistic_write', undefined, ['a']).getOne();
    if (!allocation) throw ProblemException.notFound('allocation');
    return allocation;
  }
}

/** The one allocation state machine (allocation-rules.ts) decides whether the panel may cancel or extend. */
function assertChangeable(allocation: Allocation, action: 'cancel' | 'extend'): void {
  if (nextStatus(allocation.status, action)) return;
  throw new ProblemException(
    'invalid-transition',
    `the allocation is ${allocation.status}; only an allocation that is ${statusesAllowing(action).join(', ')} can be ${action === 'cancel' ? 'cancelled' : 'extended'}`,
    undefined,
    { currentStatus: allocation.status },
  );
}

function placeOf(a: Allocation) {
  return { schoolId: a.schoolId, localityId: a.localityId, organisationId: a.organisationId, pupilId: a.pupilId };
}

async function poolBalance(manager: EntityManager, poolId: string): Promise<PoolBalance> {
  const [row] = await manager.query(`SELECT id, capacity_units, allocated_units, version FROM resource_pool WHERE id = $1`, [poolId]);
  const capacityUnits = Number(row.capacity_units);
  const allocatedUnits = Number(row.allocated_units);
  return { id: row.id, capacityUnits, allocatedUnits, remainingUnits: Math.round((capacityUnits - allocatedUnits) * 100) / 100, version: row.version };
}
