import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { DEADLINE_KINDS, DEADLINE_STATUSES, type DeadlineKind, type DeadlineStatus } from '../../timeliness/deadline-kind';
import { REVIEW_DECISIONS, REVIEW_STAGES, type ReviewDecision, type ReviewStage } from '../ehc-rules';
import { StepVersionDto } from './ehc-assessment.dto';

export class EhcPlanQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  pupilId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The pupil’s current school' })
  @IsOptional()
  @IsUUID('all')
  schoolId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  localityId?: string;

  @ApiPropertyOptional({ enum: ['issuedOn', '-issuedOn'], default: '-issuedOn' })
  declare sort?: string;
}

export class HoldReviewDto {
  @ApiProperty({ example: '2026-05-12', format: 'date', description: 'Not before the plan’s issue or the last review meeting, not in the future' })
  @IsCalendarDate()
  meetingOn: CalendarDate;
}

export class ReportSentDto extends StepVersionDto {
  @ApiProperty({ example: '2026-05-20', format: 'date' })
  @IsCalendarDate()
  sentOn: CalendarDate;
}

export class ReviewDecisionDto extends StepVersionDto {
  @ApiProperty({ enum: REVIEW_DECISIONS, enumName: 'AnnualReviewDecision', example: 'MAINTAIN' })
  @IsIn(REVIEW_DECISIONS)
  decision: ReviewDecision;

  @ApiProperty({ example: '2026-06-01', format: 'date' })
  @IsCalendarDate()
  decidedOn: CalendarDate;

  @ApiPropertyOptional({ minimum: 1, maximum: 9, example: 3, description: 'SEN2 reason the plan ceased (1-9): required with CEASE, refused otherwise' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(9)
  ceaseReason?: number;
}

export class AmendedPlanDto extends StepVersionDto {
  @ApiProperty({ example: '2026-07-20', format: 'date' })
  @IsCalendarDate()
  issuedOn: CalendarDate;

  @ApiPropertyOptional({
    example: '118000',
    description:
      'The setting the amended plan names, by its 6-digit URN; must be a known school (else 400). A setting other than the plan’s becomes its named setting (dated by issuedOn, audited) and meets an open PHASE_TRANSFER; the same setting again changes nothing.',
  })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit URN' })
  namedSettingUrn?: string;
}

export class OpenPhaseTransfersDto {
  @ApiProperty({ example: 2026, description: 'The academic year under way, by the calendar year it starts in (1 September); any other is 400' })
  @IsInt()
  @Min(2000)
  @Max(2100)
  academicYear: number;
}

export class PhaseTransferRunView {
  @ApiProperty({ example: 2026 }) academicYear: number;
  @ApiProperty({ description: 'Active plans in scope whose pupil is in the last year group of their school this year', example: 120 }) inTransferYear: number;
  @ApiProperty({ description: 'PHASE_TRANSFER deadlines opened by this run', example: 118 }) opened: number;
  @ApiProperty({ description: 'Plans that already had this year’s (from plan issue or an earlier run)', example: 2 }) alreadyOpen: number;
}

export class ReviewDeadlineView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind' }) kind: DeadlineKind;
  @ApiProperty({ format: 'date' }) startsOn: CalendarDate;
  @ApiProperty({ format: 'date' }) dueOn: CalendarDate;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) metOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) cancelledOn: CalendarDate | null;
  @ApiProperty({ enum: DEADLINE_STATUSES, enumName: 'DeadlineStatus' }) status: DeadlineStatus;
}

export class AnnualReviewView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) planId: string;
  @ApiProperty({ format: 'uuid' }) pupilId: string;
  @ApiProperty({ enum: REVIEW_STAGES, enumName: 'AnnualReviewStage', example: 'MEETING_HELD' }) stage: ReviewStage;
  @ApiProperty({ format: 'date' }) meetingOn: CalendarDate;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) reportSentOn: CalendarDate | null;
  @ApiProperty({ enum: REVIEW_DECISIONS, enumName: 'AnnualReviewDecision', nullable: true }) decision: ReviewDecision | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) decidedOn: CalendarDate | null;
  @ApiProperty({ type: Number, nullable: true }) ceaseReason: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) amendmentsSentOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) amendedPlanIssuedOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The new setting the amended plan named' }) namedSettingSchoolId: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The setting it replaced' }) replacedSettingSchoolId: string | null;
  @ApiProperty({ type: [ReviewDeadlineView], description: 'ANNUAL_REVIEW_REPORT, ANNUAL_REVIEW_DECISION and AMENDED_PLAN, status as of today' })
  deadlines: ReviewDeadlineView[];
  @ApiProperty({ example: 1 }) version: number;
}

export class EhcPlanView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) pupilId: string;
  @ApiProperty({ example: 'B801200005001' }) pupilUpn: string;
  @ApiProperty({ example: 'Zoë Okafor' }) pupilName: string;
  @ApiProperty({ format: 'uuid', description: 'The pupil’s current school' }) schoolId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) assessmentId: string | null;
  @ApiProperty({ format: 'date', description: 'The plan’s start date' }) issuedOn: CalendarDate;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) settingSchoolId: string | null;
  @ApiProperty({ type: String, nullable: true, example: '118000' }) settingUrn: string | null;
  @ApiProperty({ type: String, nullable: true }) settingName: string | null;
  @ApiProperty({ example: 'SLCN', description: 'Need rank 1' }) primaryNeed: string;
  @ApiProperty({ type: String, nullable: true, description: 'Need rank 2' }) secondaryNeed: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) ceasedOn: CalendarDate | null;
  @ApiProperty({ type: Number, nullable: true }) ceaseReason: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', description: 'The open ANNUAL_REVIEW_MEETING deadline' }) nextReviewDueOn: CalendarDate | null;
  @ApiProperty({ enum: DEADLINE_STATUSES, enumName: 'DeadlineStatus', nullable: true }) nextReviewStatus: DeadlineStatus | null;
  @ApiProperty({ example: 1 }) version: number;
}

export class EhcPlanDetailView extends EhcPlanView {
  @ApiProperty({ type: [AnnualReviewView] }) annualReviews: AnnualReviewView[];
  @ApiProperty({ type: [ReviewDeadlineView], description: 'The plan’s PHASE_TRANSFER deadlines, one per transfer year, status as of today' })
  phaseTransfers: ReviewDeadlineView[];
}

export class EhcPlanPage extends PageOf(EhcPlanView) {}
