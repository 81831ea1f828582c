import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { DEADLINE_KINDS, type DeadlineKind, SUBJECT_TYPES, type SubjectType } from '../../timeliness/deadline-kind';
import { DashboardFilterQueryDto } from './dashboard-query.dto';

/** The statuses a worklist holds: what needs chasing as of a date. */
export const WORKLIST_STATUSES = ['OVERDUE', 'DUE_SOON'] as const;
export type WorklistStatus = (typeof WORKLIST_STATUSES)[number];

export const WORKLIST_SORTS = ['-daysOverdue', 'daysOverdue', 'dueOn', '-dueOn'] as const;

export class OverdueWorklistQueryDto extends IntersectionType(PageQueryDto, OmitType(DashboardFilterQueryDto, ['format'] as const)) {
  @ApiPropertyOptional({ enum: WORKLIST_STATUSES, description: 'Only overdue, or only due soon (default: both)' })
  @IsOptional()
  @IsIn(WORKLIST_STATUSES)
  status?: WorklistStatus;

  @ApiPropertyOptional({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind', description: 'Only deadlines of this kind (default: every kind)' })
  @IsOptional()
  @IsIn(DEADLINE_KINDS)
  kind?: DeadlineKind;

  @ApiPropertyOptional({
    enum: WORKLIST_SORTS,
    default: '-daysOverdue',
    description: '-daysOverdue: longest overdue first, then the soonest due (the same order as dueOn ascending)',
  })
  declare sort?: string;
}

export class WorklistRow {
  @ApiProperty({ format: 'uuid', example: '9b2d4f8e-1c3a-4e5b-8d7f-6a5b4c3d2e1f', description: 'The deadline (GET /deadlines?…)' })
  deadlineId: string;

  @ApiProperty({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind', example: 'REQUEST_DECISION' })
  kind: DeadlineKind;

  @ApiProperty({ enum: SUBJECT_TYPES, enumName: 'DeadlineSubjectType', example: 'SUPPORT_REQUEST', description: 'What the deadline is about: with subjectId, the link to the case' })
  subjectType: SubjectType;

  @ApiProperty({ format: 'uuid', example: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9', description: 'The id of the case record (e.g. GET /support-requests/{subjectId})' })
  subjectId: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' })
  pupilId: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e' })
  schoolId: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'Oakfield Primary School' })
  schoolName: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: '3f0b7c1e-2a4d-4c5e-9f60-1a2b3c4d5e6f' })
  localityId: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'Dartford' })
  localityName: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, example: null, description: 'The provider organisation holding the work, if any' })
  organisationId: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  organisationName: string | null;

  @ApiProperty({ example: '2026-09-01' })
  startsOn: string;

  @ApiProperty({ example: '2026-09-29' })
  dueOn: string;

  @ApiProperty({ example: 12, description: 'asOf - dueOn while OVERDUE; 0 when DUE_SOON' })
  daysOverdue: number;

  @ApiProperty({ example: 0, description: 'dueOn - asOf while DUE_SOON (0 = due today); 0 when OVERDUE' })
  daysUntilDue: number;

  @ApiProperty({ enum: WORKLIST_STATUSES, example: 'OVERDUE' })
  status: WorklistStatus;

  @ApiProperty({ example: false, description: 'Marked as an exception (counted apart; the due date is unchanged)' })
  excepted: boolean;
}

export class WorklistPage extends PageOf(WorklistRow) {}

export const WORKLIST_CSV_COLUMNS = [
  'deadlineId', 'kind', 'subjectType', 'subjectId', 'pupilId', 'schoolId', 'schoolName', 'localityId', 'localityName',
  'organisationId', 'organisationName', 'startsOn', 'dueOn', 'daysOverdue', 'daysUntilDue', 'status', 'excepted',
] as const satisfies readonly (keyof WorklistRow)[];
