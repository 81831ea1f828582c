import { ApiProperty } from '@nestjs/swagger';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { ResourcePoolView } from '../../pools/dto/resource-pool.dto';
import { SupportRequestView } from '../../support-requests/dto/support-request.dto';
import { DECISION_OUTCOMES, type DecisionOutcome } from '../../support-requests/support-request-decision.entity';
import { SUPPORT_REQUEST_STATUSES, type SupportRequestStatus } from '../../support-requests/support-request.entity';
import { PanelMeetingView } from './panel-meeting.dto';

/** The minimum the panel needs to know about the child (no history, notes or audit). */
export class AgendaPupilView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Amara' })
  firstName: string;

  @ApiProperty({ example: 'Okafor' })
  lastName: string;

  @ApiProperty({ example: 4, description: 'Year group today (0 = Reception to 11), with any out-of-year offset' })
  yearGroup: number;

  @ApiProperty({ format: 'uuid', description: 'The pupil’s current school' })
  schoolId: string;

  @ApiProperty({ example: 'Oakfield Primary School' })
  schoolName: string;

  @ApiProperty({ enum: ['N', 'K', 'E'], example: 'K' })
  senStatus: string;

  @ApiProperty({ type: String, nullable: true, example: 'SLCN' })
  primaryNeed: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'SEMH' })
  secondaryNeed: string | null;
}

/** Another request for the same pupil (drafts excluded), with its latest decision. */
export class PreviousRequestView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'SALT' })
  serviceCode: string;

  @ApiProperty({ enum: SUPPORT_REQUEST_STATUSES, enumName: 'SupportRequestStatus' })
  status: SupportRequestStatus;

  @ApiProperty({ type: String, nullable: true, format: 'date' })
  submittedOn: CalendarDate | null;

  @ApiProperty({ example: 6 })
  unitsRequested: number;

  @ApiProperty({ enum: DECISION_OUTCOMES, enumName: 'DecisionOutcome', nullable: true })
  decisionOutcome: DecisionOutcome | null;

  @ApiProperty({ type: String, nullable: true, format: 'date' })
  decidedOn: CalendarDate | null;

  @ApiProperty({ type: Number, nullable: true })
  unitsApproved: number | null;
}

export class CycleOutcomeView {
  @ApiProperty({ example: 'Reads 40 words a minute' })
  description: string;

  @ApiProperty({ enum: ['ACHIEVED', 'PARTLY', 'NOT_ACHIEVED'], nullable: true, description: 'At the cycle’s review; null while open' })
  progress: string | null;
}

/** A support cycle (assess, plan, do, review) of the pupil: what the school already tried, and how it went. */
export class SupportCycleView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date' })
  startOn: CalendarDate;

  @ApiProperty({ format: 'date' })
  reviewOn: CalendarDate;

  @ApiProperty({ enum: ['OPEN', 'REVIEWED'] })
  status: string;

  @ApiProperty({ type: String, nullable: true, format: 'date' })
  reviewedOn: CalendarDate | null;

  @ApiProperty({ type: String, nullable: true, example: 'REQUEST_LOCALITY_SUPPORT', description: 'The review’s next step' })
  nextStep: string | null;

  @ApiProperty({ type: [CycleOutcomeView] })
  outcomes: CycleOutcomeView[];
}

export class AgendaItemView {
  @ApiProperty({ type: SupportRequestView, description: 'With needsReallocation and the provider’s reason when a provider declined' })
  request: SupportRequestView;

  @ApiProperty({ description: 'The school marked the request URGENT' })
  urgent: boolean;

  @ApiProperty({ description: 'The caller declared an interest in the pupil’s school at this meeting: they cannot decide it here' })
  callerDeclaredInterest: boolean;

  @ApiProperty({ type: AgendaPupilView })
  pupil: AgendaPupilView;

  @ApiProperty({ type: [PreviousRequestView], description: 'The pupil’s other requests, newest first' })
  previousRequests: PreviousRequestView[];

  @ApiProperty({ type: [SupportCycleView], description: 'The pupil’s support cycles, newest first' })
  supportCycles: SupportCycleView[];
}

export class AgendaView {
  @ApiProperty({ type: PanelMeetingView })
  meeting: PanelMeetingView;

  @ApiProperty({
    type: [AgendaItemView],
    description: 'The locality’s requests awaiting a decision (SUBMITTED, and DEFERRED ones to be heard again), oldest submission first',
  })
  requests: AgendaItemView[];

  @ApiProperty({ type: [ResourcePoolView], description: 'The locality’s pools whose period contains the meeting date, with what remains' })
  pools: ResourcePoolView[];
}
