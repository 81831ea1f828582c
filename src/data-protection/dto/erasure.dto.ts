import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';

export const ERASURE_REASONS = ['SUBJECT_REQUEST', 'RETENTION_PERIOD_ENDED', 'CREATED_IN_ERROR'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

export class ErasureDto {
  @ApiProperty({
    enum: ERASURE_REASONS,
    example: 'SUBJECT_REQUEST',
    description: 'Why the record is anonymised, as a code (free text could itself identify the child).',
  })
  @IsIn(ERASURE_REASONS)
  reason!: ErasureReason;
}

export class ErasureResult {
  @ApiProperty({ format: 'uuid' })
  pupilId!: string;

  @ApiProperty({ example: '2026-11-28' })
  erasedOn!: string;

  @ApiProperty({ enum: ERASURE_REASONS })
  reason!: ErasureReason;

  @ApiProperty({ example: 'A999123456780', description: 'The placeholder UPN the record now carries (LA 999, temporary form).' })
  upn!: string;

  @ApiProperty({
    description: 'Rows anonymised per table (the pupil row itself and each row whose free text was replaced by ERASED).',
    example: { pupil: 1, support_plan: 1, support_request: 1 },
    type: 'object',
    additionalProperties: { type: 'integer' },
  })
  rowsChanged!: Record<string, number>;
}

export class SubjectAccessExport {
  @ApiProperty({ example: '2026-11-28T08:00:00.000Z' })
  exportedAt!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The pupil record as held (camelCase columns).' })
  pupil!: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'object' } },
    description:
      'Every record about the pupil, by kind: history, supportPlans, supportPlanReviews, supportRequests, decisions, ' +
      'allocations, sessions, ehcAssessments, adviceRequests, ehcPlans, ehcExceptions, ehcAppeals, annualReviews, deadlines, ' +
      'accessLog (every audit event about the pupil: who read or changed what, when).',
  })
  records!: Record<string, Record<string, unknown>[]>;
}
