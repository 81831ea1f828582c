import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, IsString, Matches, Max, MaxLength } from 'class-validator';
import { ALLOCATION_STATUSES, type Allocation, type AllocationStatus } from '../../allocations/allocation.entity';
import type { CalendarDate } from '../../common/dates/calendar-date';
import type { PoolBalance } from '../../pools/pool-ledger';
import { MAX_UNITS } from '../../pools/units';

export class CancelAllocationDto {
  @ApiProperty({ maxLength: 2000, example: 'Pupil moved out of county', description: 'Free text: never audited or logged' })
  @IsString()
  @Matches(/\S/, { message: 'must not be blank' })
  @MaxLength(2000)
  reason: string;
}

export class ExtendAllocationDto {
  @ApiProperty({
    example: 4,
    maximum: MAX_UNITS,
    description:
      'Units added, drawn from the same pool, in the service’s unit (HOURS in 0.25 steps; GBP, SESSIONS, PLACES whole). ' +
      'Beyond the pool’s remainder: 409 /problems/capacity-exhausted (remainingUnits).',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 }, { message: 'must be a number with at most 2 decimals' })
  @Max(MAX_UNITS)
  additionalUnits: number;
}

export class PoolBalanceView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 120 })
  capacityUnits: number;

  @ApiProperty({ example: 52 })
  allocatedUnits: number;

  @ApiProperty({ example: 68 })
  remainingUnits: number;
}

/** The allocation after a panel change, with its pool's figures after the movement of units. */
export class AllocationChangeView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  requestId: string;

  @ApiProperty({ format: 'uuid' })
  pupilId: string;

  @ApiProperty({ format: 'uuid' })
  poolId: string;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ example: 'STLS' })
  serviceCode: string;

  @ApiProperty({ example: 12 })
  units: number;

  @ApiProperty({ example: 0 })
  unitsUsed: number;

  @ApiProperty({ enum: ALLOCATION_STATUSES, enumName: 'AllocationStatus' })
  status: AllocationStatus;

  @ApiProperty({ format: 'date' })
  offeredOn: CalendarDate;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  cancelledOn: CalendarDate | null;

  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ type: PoolBalanceView, description: 'The pool after the change' })
  pool: PoolBalanceView;

  static of(a: Allocation, pool: PoolBalance): AllocationChangeView {
    return {
      id: a.id,
      requestId: a.requestId,
      pupilId: a.pupilId,
      poolId: a.poolId,
      organisationId: a.organisationId,
      serviceCode: a.serviceCode,
      units: Number(a.units),
      unitsUsed: Number(a.unitsUsed),
      status: a.status,
      offeredOn: a.offeredOn,
      cancelledOn: a.cancelledOn,
      version: a.version,
      pool: { id: pool.id, capacityUnits: pool.capacityUnits, allocatedUnits: pool.allocatedUnits, remainingUnits: pool.remainingUnits },
    };
  }
}
