import type { EntityManager } from 'typeorm';
import { ProblemException } from '../common/problem/problem.exception';
import { updateReturning } from '../database/update-returning';

/** A pool's figures after a movement of units. */
export interface PoolBalance {
  id: string;
  capacityUnits: number;
  allocatedUnits: number;
  remainingUnits: number;
  version: number;
}

interface BalanceRow {
  id: string;
  capacity_units: string;
  allocated_units: string;
  version: number;
}

const RETURNING = 'RETURNING id, capacity_units, allocated_units, version';

function balanceOf(row: BalanceRow): PoolBalance {
  const capacityUnits = Number(row.capacity_units);
  const allocatedUnits = Number(row.allocated_units);
  return { id: row.id, capacityUnits, allocatedUnits, remainingUnits: Math.round((capacityUnits - allocatedUnits) * 100) / 100, version: row.version };
}

function assertPositive(units: number): void {
  if (!Number.isFinite(units) || units <= 0) throw new RangeError(`units must be a positive number, got ${units}`);
}

/**
 * Takes `units` from a pool, in the caller's transaction, with ONE guarded UPDATE: the check and
 * the write are the same statement, so two panel members approving at once can never both get
 * the last units (the second UPDATE waits on the first's row lock, then re-tests its WHERE on the
 * committed row). No row updated = not enough left: 409 /problems/capacity-exhausted with the
 * pool's remainingUnits, so the panel can decide PARTIAL with what remains. The table's CHECK
 * (allocated_units <= capacity_units) is the last line of defence.
 */
export async function allocateFromPool(manager: EntityManager, poolId: string, units: number): Promise<PoolBalance> {
  assertPositive(units);
  const [row] = await updateReturning<BalanceRow>(
    manager,
    `UPDATE resource_pool SET allocated_units = allocated_units + $2::numeric, version = version + 1, updated_at = now()
     WHERE id = $1 AND allocated_units + $2::numeric <= capacity_units ${RETURNING}`,
    [poolId, String(units)],
  );
  if (row) return balanceOf(row);
  const [pool] = await manager.query(`SELECT capacity_units - allocated_units AS remaining FROM resource_pool WHERE id = $1`, [poolId]);
  if (!pool) throw ProblemException.notFound('resource pool');
  const remainingUnits = Number(pool.remaining);
  throw new ProblemException(
    'capacity-exhausted',
    `the pool has ${remainingUnits} units left, fewer than the ${units} asked for`,
    undefined,
    { remainingUnits },
  );
}

/**
 * Returns `units` to a pool (an allocation cancelled or declined), in the caller's transaction.
 * Returning more than was allocated is a program error, never a client's: it throws (500) and
 * the CHECK (allocated_units >= 0) would refuse it anyway.
 */
export async function releaseToPool(manager: EntityManager, poolId: string, units: number): Promise<PoolBalance> {
  assertPositive(units);
  const [row] = await updateReturning<BalanceRow>(
    manager,
    `UPDATE resource_pool SET allocated_units = allocated_units - $2::numeric, version = version + 1, updated_at = now()
     WHERE id = $1 AND allocated_units >= $2::numeric ${RETURNING}`,
    [poolId, String(units)],
  );
  if (!row) throw new Error(`cannot release ${units} units to pool ${poolId}: it does not exist or holds fewer allocated units`);
  return balanceOf(row);
}
