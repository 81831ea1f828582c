import type { CalendarDate } from '../../src/common/dates/calendar-date';
import { allocateFromPool } from '../../src/pools/pool-ledger';
import { TimelinessService } from '../../src/timeliness/timeliness.service';
import type { TestApp } from './test-app';

export interface AllocationSpec {
  pupilId: string;
  /** The request's school and locality (the panel that allocated). */
  schoolId: string;
  localityId: string;
  organisationId: string;
  serviceCode: string;
  units: number;
  offeredOn: CalendarDate;
  /** An existing pool of the locality and service; otherwise a fresh one of `capacity` units. */
  poolId?: string;
  capacity?: number;
  reason?: string;
}

export interface AllocationFixture {
  id: string;
  requestId: string;
  poolId: string;
}

let poolSerial = 0;

/**
 * An OFFERED allocation as the panel's decision would leave it, written by SQL so delivery tests
 * do not depend on the panels feature: an APPROVED request, the units taken from the pool with
 * the ledger's guarded UPDATE, and the ALLOCATION_ACCEPTANCE deadline opened through the app's
 * TimelinessService from offeredOn, in one transaction.
 */
export async function createAllocation(t: TestApp, spec: AllocationSpec): Promise<AllocationFixture> {
  return t.dataSource.transaction(async (manager) => {
    let poolId = spec.poolId;
    if (!poolId) {
      // A period of its own per pool (the unique (locality, service, period_start)), covering any test date.
      poolSerial += 1;
      const [pool] = await manager.query(
        `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units)
         VALUES ($1, $2, DATE '2000-01-01' + $3::int, DATE '2100-01-01' + $3::int, $4) RETURNING id`,
        [spec.localityId, spec.serviceCode, poolSerial, spec.capacity ?? spec.units * 2],
      );
      poolId = pool.id as string;
    }
    const [request] = await manager.query(
      `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
       VALUES ($1, $2, $3, $4, $5, 'ROUTINE', $6, 'APPROVED', $7) RETURNING id`,
      [spec.pupilId, spec.schoolId, spec.localityId, spec.serviceCode, spec.reason ?? 'Needs specialist support beyond the school’s offer', spec.units, spec.offeredOn],
    );
    await allocateFromPool(manager, poolId, spec.units);
    const [allocation] = await manager.query(
      `INSERT INTO allocation (request_id, pupil_id, school_id, locality_id, pool_id, organisation_id, service_code, units, offered_on)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [request.id, spec.pupilId, spec.schoolId, spec.localityId, poolId, spec.organisationId, spec.serviceCode, spec.units, spec.offeredOn],
    );
    await t.app.get(TimelinessService).open(manager, {
      kind: 'ALLOCATION_ACCEPTANCE',
      subjectType: 'ALLOCATION',
      subjectId: allocation.id,
      startsOn: spec.offeredOn,
      pupilId: spec.pupilId,
      schoolId: spec.schoolId,
      localityId: spec.localityId,
      organisationId: spec.organisationId,
    });
    return { id: allocation.id as string, requestId: request.id as string, poolId };
  });
}
