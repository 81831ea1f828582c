import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DashboardWindowQueryDto } from './dashboard-query.dto';

export const LOCALITY_MODEL_GROUP_BY = ['locality', 'school', 'organisation', 'service', 'month'] as const;
export type LocalityModelGroupBy = (typeof LOCALITY_MODEL_GROUP_BY)[number];

export class LocalityModelQueryDto extends DashboardWindowQueryDto {
  @ApiPropertyOptional({
    enum: LOCALITY_MODEL_GROUP_BY,
    default: 'locality',
    description:
      'One row per locality or school (of the request / allocation), provider organisation (the allocation’s; for a request, the ' +
      'organisation its latest approval named), service, or month (YYYY-MM of submittedOn / offeredOn: the trend)',
  })
  @IsOptional()
  @IsIn(LOCALITY_MODEL_GROUP_BY)
  groupBy?: LocalityModelGroupBy;
}

export class LocalityModelRow {
  @ApiProperty({ type: String, nullable: true, example: '3f0b7c1e-2a4d-4c5e-9f60-1a2b3c4d5e6f', description: 'The locality, school or organisation id, the service code, or the month (YYYY-MM)' })
  groupId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Dartford', description: 'Its name (for month, YYYY-MM)' })
  groupName: string | null;

  @ApiProperty({ example: 40, description: 'Support requests submitted in [from, to] (and on or before asOf)' })
  requestsSubmitted: number;

  @ApiProperty({ example: 35, description: 'Of those, with a panel decision other than deferral on or before asOf' })
  requestsDecided: number;

  @ApiProperty({ type: Number, nullable: true, example: 21, description: 'Median days from submittedOn to the first decision other than deferral (percentile_cont(0.5)), to 1 decimal; null when none decided' })
  medianDaysToDecision: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 23.4, description: 'Mean of the same, to 1 decimal; null when none decided' })
  meanDaysToDecision: number | null;

  @ApiProperty({ example: 30, description: 'Allocations offered in [from, to] (and on or before asOf)' })
  allocationsMade: number;

  @ApiProperty({ example: 27, description: 'Of those, accepted on or before asOf' })
  allocationsAccepted: number;

  @ApiProperty({ type: Number, nullable: true, example: 4, description: 'Median days from offeredOn to acceptedOn of the accepted ones, to 1 decimal; null when none' })
  medianDaysToAcceptance: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 18, description: 'Median days from offeredOn to the first attended session (on or before asOf), to 1 decimal; null when none' })
  medianDaysToFirstSession: number | null;

  @ApiProperty({ example: 300, description: 'Units of those allocations (one declined or cancelled by asOf counts only the units it used)' })
  unitsAllocated: number;

  @ApiProperty({ example: 120.5, description: 'Units used by their sessions delivered on or before asOf' })
  unitsUsed: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.4017, description: 'unitsUsed / unitsAllocated as a fraction 0..1 to 4 decimals; null when unitsAllocated = 0' })
  utilisation: number | null;
}

export class LocalityModelDashboard {
  @ApiProperty({ type: [LocalityModelRow] })
  data: LocalityModelRow[];

  @ApiProperty({ enum: LOCALITY_MODEL_GROUP_BY, example: 'locality' })
  groupBy: LocalityModelGroupBy;

  @ApiProperty({ example: '2025-11-28' })
  from: string;

  @ApiProperty({ example: '2027-11-28' })
  to: string;

  @ApiProperty({ example: '2026-11-28' })
  asOf: string;
}

export const LOCALITY_MODEL_CSV_COLUMNS = [
  'groupId', 'groupName', 'requestsSubmitted', 'requestsDecided', 'medianDaysToDecision', 'meanDaysToDecision', 'allocationsMade',
  'allocationsAccepted', 'medianDaysToAcceptance', 'medianDaysToFirstSession', 'unitsAllocated', 'unitsUsed', 'utilisation',
] as const satisfies readonly (keyof LocalityModelRow)[];
