import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import { VersionedRecord } from '../database/versioned-record';
import type { NeedCode } from '../pupils/needs';
import type { AdviceType, AppealKind, AppealStage, EhcStage, ExceptionReason, RequestedBy, ReviewDecision, ReviewStage } from './ehc-rules';

/** An EHC needs assessment case (API.md "EHC needs assessments"); its due dates are deadline rows. */
@Entity('ehc_assessment')
export class EhcAssessment extends VersionedRecord {
  @Column('uuid')
  pupilId: string;

  @Column('date')
  requestReceivedOn: CalendarDate;

  @Column('text')
  requestedBy: RequestedBy;

  @Column({ type: 'uuid', nullable: true })
  caseworkerId: string | null;

  @Column('text')
  stage: EhcStage;

  @Column({ type: 'boolean', nullable: true })
  decisionToAssess: boolean | null;

  @Column({ type: 'date', nullable: true })
  decisionToAssessOn: CalendarDate | null;

  @Column({ type: 'uuid', nullable: true })
  decisionToAssessBy: string | null;

  @Column({ type: 'boolean', nullable: true })
  issueDecision: boolean | null;

  @Column({ type: 'date', nullable: true })
  issueDecisionOn: CalendarDate | null;

  @Column({ type: 'uuid', nullable: true })
  issueDecisionBy: string | null;

  @Column({ type: 'date', nullable: true })
  finalPlanIssuedOn: CalendarDate | null;

  @Column({ type: 'uuid', nullable: true })
  finalPlanBy: string | null;

  @Column({ type: 'date', nullable: true })
  withdrawnOn: CalendarDate | null;

  /** Free text: never logged or audited. */
  @Column({ type: 'text', nullable: true })
  withdrawReason: string | null;

  @Column({ type: 'uuid', nullable: true })
  withdrawnBy: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  /** The case's earliest open deadline and its due date: kept by database triggers (migration 1764560000000), never written here. */
  @Column({ type: 'uuid', nullable: true, insert: false, update: false })
  nextDeadlineId: string | null;

  @Column({ type: 'date', nullable: true, insert: false, update: false })
  nextDueOn: CalendarDate | null;
}

/** Advice asked of a body (EP, health, social care...) during an assessment; EHC_ADVICE deadline. */
@Entity('advice_request')
export class AdviceRequest extends VersionedRecord {
  @Column('uuid')
  assessmentId: string;

  @Column('uuid')
  pupilId: string;

  @Column('text')
  adviceType: AdviceType;

  @Column('uuid')
  organisationId: string;

  @Column('date')
  requestedOn: CalendarDate;

  @Column({ type: 'uuid', nullable: true })
  requestedBy: string | null;

  @Column({ type: 'date', nullable: true })
  receivedOn: CalendarDate | null;

  @Column({ type: 'uuid', nullable: true })
  receivedBy: string | null;

  @Column({ type: 'date', nullable: true })
  cancelledOn: CalendarDate | null;
}

/** An issued EHC plan (SEN2 named plan): start date, named setting, ranked needs. */
@Entity('ehc_plan')
export class EhcPlan extends VersionedRecord {
  @Column('uuid')
  pupilId: string;

  @Column({ type: 'uuid', nullable: true })
  assessmentId: string | null;

  @Column('date')
  issuedOn: CalendarDate;

  @Column({ type: 'uuid', nullable: true })
  settingSchoolId: string | null;

  @Column('text')
  primaryNeed: NeedCode;

  @Column({ type: 'text', nullable: true })
  secondaryNeed: NeedCode | null;

  @Column({ type: 'date', nullable: true })
  ceasedOn: CalendarDate | null;

  @Column({ type: 'smallint', nullable: true })
  ceaseReason: number | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}

/** A statutory exception to the 20 weeks (Reg 10(4)); the due date never moves. */
@Entity('ehc_exception')
export class EhcException {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  assessmentId: string;

  @Column('text')
  reason: ExceptionReason;

  @Column('date')
  fromOn: CalendarDate;

  @Column('date')
  toOn: CalendarDate;

  /** Free text: never logged or audited. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'uuid', nullable: true })
  recordedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** Mediation or tribunal at a stage of the case (SEN2 requests/assessments flags). */
@Entity('ehc_appeal')
export class EhcAppeal {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  assessmentId: string;

  @Column('text')
  kind: AppealKind;

  @Column('text')
  stage: AppealStage;

  @Column('date')
  startedOn: CalendarDate;

  @Column({ type: 'uuid', nullable: true })
  recordedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** One annual review of an EHC plan; its due dates are ANNUAL_REVIEW_* and AMENDED_PLAN deadline rows. */
@Entity('annual_review')
export class AnnualReview extends VersionedRecord {
  @Column('uuid')
  planId: string;

  @Column('uuid')
  pupilId: string;

  @Column('text')
  stage: ReviewStage;

  @Column('date')
  meetingOn: CalendarDate;

  @Column({ type: 'date', nullable: true })
  reportSentOn: CalendarDate | null;

  @Column({ type: 'text', nullable: true })
  decision: ReviewDecision | null;

  @Column({ type: 'date', nullable: true })
  decidedOn: CalendarDate | null;

  @Column({ type: 'smallint', nullable: true })
  ceaseReason: number | null;

  @Column({ type: 'date', nullable: true })
  amendmentsSentOn: CalendarDate | null;

  @Column({ type: 'date', nullable: true })
  amendedPlanIssuedOn: CalendarDate | null;

  /** The new setting the amended plan named (dated by amendedPlanIssuedOn), and the one it replaced. */
  @Column({ type: 'uuid', nullable: true })
  namedSettingSchoolId: string | null;

  @Column({ type: 'uuid', nullable: true })
  replacedSettingSchoolId: string | null;

  @Column({ type: 'uuid', nullable: true })
  recordedBy: string | null;
}
