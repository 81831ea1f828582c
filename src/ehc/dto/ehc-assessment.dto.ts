import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { DEADLINE_KINDS, DEADLINE_STATUSES, type DeadlineKind, type DeadlineStatus, SUBJECT_TYPES, type SubjectType } from '../../timeliness/deadline-kind';
import {
  ADVICE_TYPES,
  type AdviceType,
  APPEAL_KINDS,
  APPEAL_STAGES,
  type AppealKind,
  type AppealStage,
  EHC_STAGES,
  type EhcStage,
  EXCEPTION_REASONS,
  type ExceptionReason,
  REQUESTED_BY,
  type RequestedBy,
} from '../ehc-rules';

export const MAX_TEXT_LENGTH = 2000;
const NOT_BLANK = /\S/;
const notBlank = { message: 'must not be blank' };

/** Optional `version` of a step's body: when sent, a stale one is 409 /problems/stale-version. */
export class StepVersionDto {
  @ApiPropertyOptional({ example: 1, description: 'The version you read; if sent, a stale one is 409 /problems/stale-version' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class CreateEhcAssessmentDto {
  @ApiProperty({ format: 'uuid', description: 'A pupil in the caseworker’s scope (else 400 on pupilId)' })
  @IsUUID('all')
  pupilId: string;

  @ApiProperty({ example: '2025-01-06', format: 'date', description: 'The day the request was received: the 6, 16 and 20 weeks run from it' })
  @IsCalendarDate()
  requestReceivedOn: CalendarDate;

  @ApiProperty({ enum: REQUESTED_BY, enumName: 'EhcRequestedBy', example: 'PARENT' })
  @IsIn(REQUESTED_BY)
  requestedBy: RequestedBy;

  @ApiPropertyOptional({ format: 'uuid', description: 'An active CASEWORKER user (else 400); defaults to the caller' })
  @IsOptional()
  @IsUUID('all')
  caseworkerId?: string;
}

export class DecisionDto extends StepVersionDto {
  @ApiProperty({ example: true, description: 'decision-to-assess: true = assess. issue-decision: true = draft plan sent, false = notice not to issue' })
  @IsBoolean()
  decision: boolean;

  @ApiProperty({ example: '2025-02-14', format: 'date', description: 'Not before the previous step, not in the future' })
  @IsCalendarDate()
  decidedOn: CalendarDate;
}

export class FinalPlanDto extends StepVersionDto {
  @ApiProperty({ example: '2025-05-20', format: 'date', description: 'Not before the issue decision, not in the future' })
  @IsCalendarDate()
  issuedOn: CalendarDate;

  @ApiPropertyOptional({ example: '118000', description: 'The named setting’s 6-digit URN; must be a known school (else 400)' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be a 6-digit URN' })
  settingUrn?: string;
}

export class WithdrawDto extends StepVersionDto {
  @ApiProperty({ example: '2025-03-01', format: 'date' })
  @IsCalendarDate()
  withdrawnOn: CalendarDate;

  @ApiProperty({ maxLength: MAX_TEXT_LENGTH, example: 'Family moved out of the county', description: 'Free text: never audited or logged' })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(MAX_TEXT_LENGTH)
  reason: string;
}

export class CreateExceptionDto {
  @ApiProperty({ enum: EXCEPTION_REASONS, enumName: 'EhcExceptionReason', example: 'ABSENT_FROM_AREA' })
  @IsIn(EXCEPTION_REASONS)
  reason: ExceptionReason;

  @ApiProperty({ example: '2025-03-03', format: 'date' })
  @IsCalendarDate()
  fromOn: CalendarDate;

  @ApiProperty({
    example: '2025-04-06',
    format: 'date',
    description: 'Not before fromOn; closures and absence from the area need 4 or more continuous weeks (28 days, both ends counted)',
  })
  @IsCalendarDate()
  toOn: CalendarDate;

  @ApiPropertyOptional({ maxLength: MAX_TEXT_LENGTH, description: 'Free text: never audited or logged' })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(MAX_TEXT_LENGTH)
  note?: string;
}

export class CreateAppealDto {
  @ApiProperty({ enum: APPEAL_KINDS, enumName: 'EhcAppealKind', example: 'MEDIATION' })
  @IsIn(APPEAL_KINDS)
  kind: AppealKind;

  @ApiProperty({ enum: APPEAL_STAGES, enumName: 'EhcAppealStage', example: 'REQUEST', description: 'SEN2: at the request, assessment or plan stage' })
  @IsIn(APPEAL_STAGES)
  stage: AppealStage;

  @ApiProperty({ example: '2025-03-10', format: 'date', description: 'Not before the request was received, not in the future' })
  @IsCalendarDate()
  startedOn: CalendarDate;
}

export class EhcAssessmentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: EHC_STAGES, enumName: 'EhcStage' })
  @IsOptional()
  @IsIn(EHC_STAGES)
  stage?: EhcStage;

  @ApiPropertyOptional({ format: 'uuid', description: 'The pupil’s current school’s locality' })
  @IsOptional()
  @IsUUID('all')
  localityId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The pupil’s current school' })
  @IsOptional()
  @IsUUID('all')
  schoolId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  caseworkerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  pupilId?: string;

  @ApiPropertyOptional({ description: 'true: only cases assigned to the caller (“my cases”)', example: true })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  mine?: boolean;

  @ApiPropertyOptional({
    enum: ['nextDueOn', '-nextDueOn', 'requestReceivedOn', '-requestReceivedOn'],
    default: 'nextDueOn',
    description: 'By the next statutory date (cases with none open last), or by request date',
  })
  declare sort?: string;
}

export const ADVICE_STATUSES = ['REQUESTED', 'RECEIVED', 'CANCELLED'] as const;
export type AdviceStatus = (typeof ADVICE_STATUSES)[number];
const ADVICE_STATUS_FILTERS = [...ADVICE_STATUSES, 'ON_TRACK', 'DUE_SOON', 'OVERDUE', 'MET_ON_TIME', 'MET_LATE'] as const;

export class CreateAdviceRequestDto {
  @ApiProperty({ enum: ADVICE_TYPES, enumName: 'AdviceType', example: 'EDUCATIONAL_PSYCHOLOGY' })
  @IsIn(ADVICE_TYPES)
  adviceType: AdviceType;

  @ApiProperty({ format: 'uuid', description: 'The body asked (GET /organisations); unknown = 400' })
  @IsUUID('all')
  organisationId: string;

  @ApiProperty({ example: '2025-02-17', format: 'date', description: 'Not before the decision to assess, not in the future' })
  @IsCalendarDate()
  requestedOn: CalendarDate;
}

export class AdviceReceivedDto extends StepVersionDto {
  @ApiProperty({ example: '2025-03-20', format: 'date', description: 'Not before requestedOn, not in the future' })
  @IsCalendarDate()
  receivedOn: CalendarDate;
}

export class AdviceRequestQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  organisationId?: string;

  @ApiPropertyOptional({
    enum: ADVICE_STATUS_FILTERS,
    description: 'The advice request’s status (REQUESTED, RECEIVED, CANCELLED) or its EHC_ADVICE deadline’s status today (ON_TRACK, DUE_SOON, OVERDUE, MET_ON_TIME, MET_LATE)',
  })
  @IsOptional()
  @IsIn(ADVICE_STATUS_FILTERS)
  status?: (typeof ADVICE_STATUS_FILTERS)[number];

  @ApiPropertyOptional({ format: 'date', example: '2025-04-01', description: 'Only advice due strictly before this date' })
  @IsOptional()
  @IsCalendarDate()
  dueBefore?: CalendarDate;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  assessmentId?: string;

  @ApiPropertyOptional({ enum: ['dueOn', '-dueOn', 'requestedOn', '-requestedOn'], default: 'dueOn' })
  declare sort?: string;
}

// --- views ---------------------------------------------------------------------------------------

/** API.md minimal pupil view: all a provider ever sees of a child. */
export class AdvicePupilView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'B801200005001' }) upn: string;
  @ApiProperty({ example: 'Zoë' }) firstName: string;
  @ApiProperty({ example: 'Okafor' }) lastName: string;
  @ApiProperty({ example: '2016-03-14', format: 'date' }) dateOfBirth: string;
  @ApiProperty({ example: 4 }) yearGroup: number;
  @ApiProperty({ format: 'uuid' }) schoolId: string;
  @ApiProperty({ example: 'Oakfield Primary School' }) schoolName: string;
  @ApiProperty({ type: String, nullable: true, example: 'SLCN' }) primaryNeed: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) secondaryNeed: string | null;
}

export class AdviceRequestView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) assessmentId: string;
  @ApiProperty({ enum: ADVICE_TYPES, enumName: 'AdviceType' }) adviceType: AdviceType;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ example: 'Kent Community Health NHS Foundation Trust' }) organisationName: string;
  @ApiProperty({ enum: ADVICE_STATUSES, enumName: 'AdviceStatus' }) status: AdviceStatus;
  @ApiProperty({ example: '2025-02-17', format: 'date' }) requestedOn: CalendarDate;
  @ApiProperty({ example: '2025-03-31', format: 'date', description: 'The EHC_ADVICE deadline (6 weeks)' }) dueOn: CalendarDate;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) receivedOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) cancelledOn: CalendarDate | null;
  @ApiProperty({ enum: DEADLINE_STATUSES, enumName: 'DeadlineStatus', description: 'The EHC_ADVICE deadline’s status today' })
  deadlineStatus: DeadlineStatus;
  @ApiProperty({ example: 0 }) daysOverdue: number;
  @ApiProperty({ format: 'uuid' }) deadlineId: string;
  @ApiProperty({ type: AdvicePupilView }) pupil: AdvicePupilView;
  @ApiProperty({ example: 1 }) version: number;
}

export class AdviceRequestPage extends PageOf(AdviceRequestView) {}

/** Flat CSV rows of the worklist (the pupil's minimal fields prefixed). */
export interface AdviceRequestCsvRow {
  id: string;
  assessmentId: string;
  adviceType: string;
  organisationId: string;
  organisationName: string;
  status: string;
  requestedOn: string;
  dueOn: string;
  receivedOn: string | null;
  cancelledOn: string | null;
  deadlineStatus: string;
  daysOverdue: number;
  pupilId: string;
  pupilUpn: string;
  pupilFirstName: string;
  pupilLastName: string;
  pupilDateOfBirth: string;
  pupilYearGroup: number;
  pupilSchoolName: string;
}

export const ADVICE_REQUEST_CSV_COLUMNS = [
  'id', 'assessmentId', 'adviceType', 'organisationId', 'organisationName', 'status', 'requestedOn', 'dueOn', 'receivedOn',
  'cancelledOn', 'deadlineStatus', 'daysOverdue', 'pupilId', 'pupilUpn', 'pupilFirstName', 'pupilLastName', 'pupilDateOfBirth',
  'pupilYearGroup', 'pupilSchoolName',
] as const satisfies readonly (keyof AdviceRequestCsvRow)[];

/** One step of a case's timeline: its date, due date, status (today) and who recorded it. */
export class TimelineStepView {
  @ApiProperty({
    enum: ['REQUEST_RECEIVED', 'DECISION_TO_ASSESS', 'ADVICE', 'ISSUE_DECISION', 'FINAL_PLAN', 'ANNUAL_REVIEW_MEETING', 'WITHDRAWN'],
    example: 'DECISION_TO_ASSESS',
  })
  step: string;

  @ApiProperty({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind', nullable: true, description: 'The statutory deadline of the step, if it has one' })
  kind: DeadlineKind | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true }) deadlineId: string | null;
  @ApiProperty({ enum: SUBJECT_TYPES, enumName: 'SubjectType', nullable: true }) subjectType: SubjectType | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The case, advice request or plan' }) subjectId: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', description: 'When the deadline started' }) startsOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', description: 'When the step happened (null = not yet)' }) date: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) dueOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) cancelledOn: CalendarDate | null;
  @ApiProperty({ enum: DEADLINE_STATUSES, enumName: 'DeadlineStatus', nullable: true, description: 'Derived in SQL as of today' })
  status: DeadlineStatus | null;
  @ApiProperty({ example: false }) excepted: boolean;
  @ApiProperty({ type: Boolean, nullable: true, description: 'The decision of a decision step' }) decision: boolean | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) recordedBy: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Sarah Doyle' }) recordedByName: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'ADVICE: the body asked' }) organisationId: string | null;
  @ApiProperty({ enum: ADVICE_TYPES, enumName: 'AdviceType', nullable: true }) adviceType: AdviceType | null;
}

export class ExceptionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) assessmentId: string;
  @ApiProperty({ enum: EXCEPTION_REASONS, enumName: 'EhcExceptionReason' }) reason: ExceptionReason;
  @ApiProperty({ format: 'date' }) fromOn: CalendarDate;
  @ApiProperty({ format: 'date' }) toOn: CalendarDate;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) recordedBy: string | null;
  @ApiProperty({ example: '2025-03-10T09:00:00.000Z' }) createdAt: string;
}

export class AppealView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) assessmentId: string;
  @ApiProperty({ enum: APPEAL_KINDS, enumName: 'EhcAppealKind' }) kind: AppealKind;
  @ApiProperty({ enum: APPEAL_STAGES, enumName: 'EhcAppealStage' }) stage: AppealStage;
  @ApiProperty({ format: 'date' }) startedOn: CalendarDate;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) recordedBy: string | null;
  @ApiProperty({ example: '2025-03-10T09:00:00.000Z' }) createdAt: string;
}

/** A case in a list: the pupil, the stage and the next statutory date. */
export class EhcAssessmentSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) pupilId: string;
  @ApiProperty({ example: 'B801200005001' }) pupilUpn: string;
  @ApiProperty({ example: 'Zoë Okafor' }) pupilName: string;
  @ApiProperty({ format: 'uuid', description: 'The pupil’s current school' }) schoolId: string;
  @ApiProperty({ example: 'Oakfield Primary School' }) schoolName: string;
  @ApiProperty({ format: 'uuid' }) localityId: string;
  @ApiProperty({ example: '2025-01-06', format: 'date' }) requestReceivedOn: CalendarDate;
  @ApiProperty({ enum: REQUESTED_BY, enumName: 'EhcRequestedBy' }) requestedBy: RequestedBy;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) caseworkerId: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Sarah Doyle' }) caseworkerName: string | null;
  @ApiProperty({ enum: EHC_STAGES, enumName: 'EhcStage', example: 'ASSESSING' }) stage: EhcStage;
  @ApiProperty({ type: Boolean, nullable: true }) decisionToAssess: boolean | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) decisionToAssessOn: CalendarDate | null;
  @ApiProperty({ type: Boolean, nullable: true }) issueDecision: boolean | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) issueDecisionOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) finalPlanIssuedOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) withdrawnOn: CalendarDate | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', description: 'The case’s next statutory date: the earliest open deadline (advice and the plan’s annual review included)' })
  nextDueOn: CalendarDate | null;
  @ApiProperty({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind', nullable: true }) nextDueKind: DeadlineKind | null;
  @ApiProperty({ enum: DEADLINE_STATUSES, enumName: 'DeadlineStatus', nullable: true, description: 'That deadline’s status today' })
  nextDueStatus: DeadlineStatus | null;
  @ApiProperty({ description: 'The EHC_FINAL_PLAN deadline is excepted (Reg 10(4))' }) excepted: boolean;
  @ApiProperty({ example: 1 }) version: number;
}

export class EhcAssessmentView extends EhcAssessmentSummaryView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The EHC plan issued from this case' }) planId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Free text: never audited' }) withdrawReason: string | null;
  @ApiProperty({ type: [TimelineStepView] }) timeline: TimelineStepView[];
  @ApiProperty({ type: [AdviceRequestView] }) adviceRequests: AdviceRequestView[];
  @ApiProperty({ type: [ExceptionView] }) exceptions: ExceptionView[];
  @ApiProperty({ type: [AppealView] }) appeals: AppealView[];
}

export class EhcAssessmentPage extends PageOf(EhcAssessmentSummaryView) {}

export const EHC_ASSESSMENT_CSV_COLUMNS = [
  'id', 'pupilId', 'pupilUpn', 'pupilName', 'schoolId', 'schoolName', 'localityId', 'requestReceivedOn', 'requestedBy', 'caseworkerId',
  'caseworkerName', 'stage', 'decisionToAssess', 'decisionToAssessOn', 'issueDecision', 'issueDecisionOn', 'finalPlanIssuedOn',
  'withdrawnOn', 'nextDueOn', 'nextDueKind', 'nextDueStatus', 'excepted', 'version',
] as const satisfies readonly (keyof EhcAssessmentSummaryView)[];
