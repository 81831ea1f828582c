import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import type { Deadline } from '../../timeliness/deadline.entity';
import { DEADLINE_STATUSES, type DeadlineStatus } from '../../timeliness/deadline-kind';
import { deadlineStatus } from '../../timeliness/deadline-rules';
import {
  NEXT_STEPS,
  type NextStep,
  OUTCOME_PROGRESS,
  type OutcomeProgress,
  type ReviewedOutcome,
  type SupportPlanReview,
} from '../support-plan-review.entity';
import {
  type PlannedOutcome,
  type PlannedProvision,
  type SupportPlan,
  SUPPORT_PLAN_STATUSES,
  type SupportPlanStatus,
} from '../support-plan.entity';

export { NEXT_STEPS, OUTCOME_PROGRESS } from '../support-plan-review.entity';
export { SUPPORT_PLAN_STATUSES } from '../support-plan.entity';

/** Outcomes and lines of provision per plan (the `support_plan` jsonb CHECKs). */
export const MAX_PLAN_ITEMS = 20;
/** The `support_plan_review.note_length` CHECK. */
export const MAX_NOTE_LENGTH = 4000;

/** Something other than spaces: an empty-looking outcome or provider is no plan. */
const NOT_BLANK = /\S/;
const notBlank = { message: 'must not be blank' };

export class PlannedOutcomeDto implements PlannedOutcome {
  @ApiProperty({ example: 'Reads a Year 3 book aloud with 95% accuracy', maxLength: 500 })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(500)
  description: string;
}

export class PlannedProvisionDto implements PlannedProvision {
  @ApiProperty({ example: 'Precision teaching of high-frequency words', maxLength: 500 })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(500)
  description: string;

  @ApiProperty({ example: '3 x 15 minutes a week', maxLength: 100, description: 'How often, in words' })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(100)
  frequency: string;

  @ApiProperty({ example: 'Teaching assistant (Mrs Patel)', maxLength: 200, description: 'Who delivers it' })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(200)
  by: string;
}

/** Opens a new assess-plan-do-review cycle; the pupil may have no other open cycle. */
export class CreateSupportPlanDto {
  @ApiProperty({ type: [PlannedOutcomeDto], minItems: 1, maxItems: MAX_PLAN_ITEMS, description: 'Outcomes sought by the review date' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => PlannedOutcomeDto)
  outcomes: PlannedOutcomeDto[];

  @ApiProperty({ type: [PlannedProvisionDto], minItems: 1, maxItems: MAX_PLAN_ITEMS, description: 'What is done, how often, by whom' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => PlannedProvisionDto)
  provision: PlannedProvisionDto[];

  @ApiProperty({ example: '2026-09-01', description: 'The cycle starts (today or earlier); the review deadline starts here' })
  @IsCalendarDate()
  startOn: CalendarDate;

  @ApiProperty({ example: '2026-12-01', description: 'The agreed review date, after startOn: the SUPPORT_PLAN_REVIEW deadline’s due date' })
  @IsCalendarDate()
  reviewOn: CalendarDate;
}

export class ReviewedOutcomeDto implements ReviewedOutcome {
  @ApiProperty({
    example: 0,
    minimum: 0,
    maximum: MAX_PLAN_ITEMS - 1,
    description: 'Which of the plan’s outcomes: its 0-based position in the plan’s `outcomes`',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_PLAN_ITEMS - 1)
  outcomeIndex: number;

  @ApiProperty({ enum: OUTCOME_PROGRESS, enumName: 'OutcomeProgress', example: 'PARTLY' })
  @IsIn(OUTCOME_PROGRESS)
  progress: OutcomeProgress;
}

/** Records the review that closes a cycle: each of the plan's outcomes exactly once. */
export class ReviewDto {
  @ApiProperty({ example: '2026-12-01', description: 'Not before the cycle started, not in the future; after reviewOn it is met late' })
  @IsCalendarDate()
  reviewedOn: CalendarDate;

  @ApiProperty({ type: [ReviewedOutcomeDto], minItems: 1, maxItems: MAX_PLAN_ITEMS, description: 'Progress on every outcome of the plan, each once' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => ReviewedOutcomeDto)
  outcomes: ReviewedOutcomeDto[];

  @ApiProperty({ enum: NEXT_STEPS, enumName: 'SupportPlanNextStep', example: 'REQUEST_LOCALITY_SUPPORT' })
  @IsIn(NEXT_STEPS)
  nextStep: NextStep;

  @ApiPropertyOptional({
    maxLength: MAX_NOTE_LENGTH,
    example: 'Progress in phonics but not yet in fluency; parents agree to ask the locality for STLS input.',
    description: 'Free text; shown only to those who may write support plans (the school’s SENCO), never audited',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NOTE_LENGTH)
  note?: string | null;
}

export class SupportPlanQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['startOn', '-startOn', 'reviewOn', '-reviewOn'], default: '-startOn', description: 'Newest cycle first by default' })
  declare sort?: string;
}

export class SupportPlanReviewView {
  @ApiProperty({ example: '2026-12-01' })
  reviewedOn: CalendarDate;

  @ApiProperty({ type: [ReviewedOutcomeDto] })
  outcomes: ReviewedOutcome[];

  @ApiProperty({ enum: NEXT_STEPS, enumName: 'SupportPlanNextStep', example: 'CONTINUE' })
  nextStep: NextStep;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Present (null when none was written) only for callers who may write support plans; absent for other readers',
  })
  note?: string | null;
}

export class ReviewDeadlineView {
  @ApiProperty({ example: '2026-12-01', description: 'The agreed review date' })
  dueOn: CalendarDate;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'When the review was recorded' })
  metOn: CalendarDate | null;

  @ApiProperty({ enum: DEADLINE_STATUSES, enumName: 'DeadlineStatus', example: 'ON_TRACK', description: 'As of today (Europe/London)' })
  status: DeadlineStatus;
}

/** A support request made from this cycle, and what became of it (its allocations, each with the provider's outcome). */
export class CycleSupportView {
  @ApiProperty({ format: 'uuid' })
  requestId: string;

  @ApiProperty({ example: 'SALT' })
  serviceCode: string;

  @ApiProperty({ example: 'APPROVED', description: 'The request’s status (SupportRequestStatus)' })
  requestStatus: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null until the panel allocates' })
  allocationId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'COMPLETED', description: 'The allocation’s status (AllocationStatus)' })
  allocationStatus: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 6 })
  units: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 5 })
  unitsUsed: number | null;

  @ApiProperty({ type: String, nullable: true, enum: ['NEED_MET', 'PARTLY_MET', 'NOT_MET', 'REFERRED_ON'], example: 'PARTLY_MET' })
  outcome: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-20' })
  completedOn: CalendarDate | null;
}

export class SupportPlanView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  pupilId: string;

  @ApiProperty({ format: 'uuid', description: 'The pupil’s school when the cycle opened' })
  schoolId: string;

  @ApiProperty({ type: [PlannedOutcomeDto] })
  outcomes: PlannedOutcome[];

  @ApiProperty({ type: [PlannedProvisionDto] })
  provision: PlannedProvision[];

  @ApiProperty({ example: '2026-09-01' })
  startOn: CalendarDate;

  @ApiProperty({ example: '2026-12-01' })
  reviewOn: CalendarDate;

  @ApiProperty({ enum: SUPPORT_PLAN_STATUSES, enumName: 'SupportPlanStatus', example: 'OPEN', description: 'OPEN until its review closes it' })
  status: SupportPlanStatus;

  @ApiProperty({ type: SupportPlanReviewView, nullable: true })
  review: SupportPlanReviewView | null;

  @ApiProperty({
    type: ReviewDeadlineView,
    nullable: true,
    description: 'The SUPPORT_PLAN_REVIEW deadline (see GET /deadlines); null only for a cycle recorded without one',
  })
  reviewDeadline: ReviewDeadlineView | null;

  @ApiProperty({
    type: [CycleSupportView],
    description:
      'Support requests made from this cycle (supportPlanId) and their allocations with the provider’s outcome, so the ' +
      'cycle’s review can take the locality’s support into account (a school’s drafts only for its SENCO)',
  })
  localitySupport: CycleSupportView[];

  @ApiProperty({ example: 1 })
  version: number;

  static of(
    plan: SupportPlan,
    review: SupportPlanReview | null,
    deadline: Deadline | null,
    how: SupportPlanViewOptions,
    localitySupport: CycleSupportView[] = [],
  ): SupportPlanView {
    const { id, pupilId, schoolId, outcomes, provision, startOn, reviewOn, status, version } = plan;
    return {
      id,
      pupilId,
      schoolId,
      outcomes: outcomes.map(({ description }) => ({ description })),
      provision: provision.map(({ description, frequency, by }) => ({ description, frequency, by })),
      startOn,
      reviewOn,
      status,
      review: review && {
        reviewedOn: review.reviewedOn,
        outcomes: review.outcomes.map(({ outcomeIndex, progress }) => ({ outcomeIndex, progress })),
        nextStep: review.nextStep,
        ...(how.showNote ? { note: review.note } : {}),
      },
      reviewDeadline: deadline && {
        dueOn: deadline.dueOn,
        metOn: deadline.metOn,
        status: deadlineStatus(deadline, how.asOf, how.dueSoonDays),
      },
      localitySupport,
      version,
    };
  }
}

/** How to present a plan to this caller: whether they see the review note, and "today". */
export interface SupportPlanViewOptions {
  showNote: boolean;
  asOf: CalendarDate;
  dueSoonDays: number;
}

export class SupportPlanPage extends PageOf(SupportPlanView) {}
