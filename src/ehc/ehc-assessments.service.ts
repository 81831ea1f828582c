import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../access/caller';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { AccessLogWriter } from '../audit/access-log-writer';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { assertVersion } from '../common/concurrency/expected-version';
import { compareDates, type CalendarDate } from '../common/dates/calendar-date';
import { type Page, paginate } from '../common/pagination/paginate';
import type { FieldError } from '../common/problem/problem-type';
import { ProblemException } from '../common/problem/problem.exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { NOT_ASSESSED as NSA } from '../pupils/needs';
import { PupilHistory } from '../pupils/pupil-history.entity';
import { Pupil } from '../pupils/pupil.entity';
import { yearGroupFromBirth } from '../pupils/year-group';
import type { DeadlineKind, DeadlineStatus, SubjectType } from '../timeliness/deadline-kind';
import { type DeadlineSubject, TimelinessService } from '../timeliness/timeliness.service';
import {
  AdviceReceivedDto,
  AdviceRequestQueryDto,
  AdviceRequestView,
  AppealView,
  CreateAdviceRequestDto,
  CreateAppealDto,
  CreateEhcAssessmentDto,
  CreateExceptionDto,
  DecisionDto,
  EhcAssessmentQueryDto,
  EhcAssessmentSummaryView,
  EhcAssessmentView,
  ExceptionView,
  FinalPlanDto,
  type TimelineStepView,
  WithdrawDto,
} from './dto/ehc-assessment.dto';
import { AdviceRequest, EhcAppeal, EhcAssessment, EhcException, EhcPlan } from './ehc.entities';
import { academicYearOf } from './phase-transfer';
import { PhaseTransfersService } from './phase-transfers.service';
import { type EhcStage, type EhcStep, exceptionProblems, nextStage, previousStep, stagesAllowing, stepDateProblem } from './ehc-rules';
import { providerAccessFrom } from '../pupils/pupils.service';

/** A case sits where its pupil is at school now (its open deadlines follow the pupil too). */
const CASE_SCOPE_COLUMNS: ScopeColumns = { schoolId: 'pupil.school_id', localityId: 'school.locality_id', area: 'locality.area' };
/** An advice request: the body asked (PROVIDER), or where the pupil is at school (CASEWORKER, MANAGER). */
const ADVICE_SCOPE_COLUMNS: ScopeColumns = { ...CASE_SCOPE_COLUMNS, organisationId: 'ar.organisation_id' };

const FAR_FUTURE = '2999-12-31';

/** Every deadline of a case: its own, its advice requests' and its plan's (SQL on the alias `a`). */
const CASE_DEADLINES_SQL = (d: string, a: string) =>
  `((${d}.subject_type = 'EHC_ASSESSMENT' AND ${d}.subject_id = ${a}.id)
    OR (${d}.subject_type = 'ADVICE_REQUEST' AND ${d}.subject_id IN (SELECT x.id FROM advice_request x WHERE x.assessment_id = ${a}.id))
    OR (${d}.subject_type = 'EHC_PLAN' AND ${d}.subject_id IN (SELECT x.id FROM ehc_plan x WHERE x.assessment_id = ${a}.id)))`;

const STATUS_SQL = (d: string) => `deadline_status(${d}.met_on, ${d}.cancelled_on, ${d}.due_on, :today::date, :dueSoon)`;

const caseSubject = (id: string): DeadlineSubject => ({ subjectType: 'EHC_ASSESSMENT', subjectId: id });
const adviceSubject = (id: string): DeadlineSubject => ({ subjectType: 'ADVICE_REQUEST', subjectId: id });

interface Place {
  pupilId: string;
  schoolId: string;
  localityId: string;
}

interface DeadlineRow {
  deadlineId: string;
  kind: DeadlineKind;
  subjectType: SubjectType;
  subjectId: string;
  startsOn: CalendarDate;
  dueOn: CalendarDate;
  metOn: CalendarDate | null;
  cancelledOn: CalendarDate | null;
  excepted: boolean;
  status: DeadlineStatus;
}

interface AdviceRow {
  id: string;
  assessmentId: string;
  adviceType: AdviceRequestView['adviceType'];
  organisationId: string;
  organisationName: string;
  status: AdviceRequestView['status'];
  requestedOn: CalendarDate;
  dueOn: CalendarDate;
  receivedOn: CalendarDate | null;
  cancelledOn: CalendarDate | null;
  deadlineStatus: DeadlineStatus;
  daysOverdue: number;
  deadlineId: string;
  version: number;
  receivedBy: string | null;
  pupilId: string;
  pupilUpn: string;
  pupilFirstName: string;
  pupilLastName: string;
  pupilDateOfBirth: string;
  pupilYearOffset: number;
  pupilSchoolId: string;
  pupilSchoolName: string;
  pupilPrimaryNeed: string | null;
  pupilSecondaryNeed: string | null;
}

type DetailRow = EhcAssessmentSummaryView & {
  withdrawReason: string | null;
  createdBy: string | null;
  decisionToAssessBy: string | null;
  issueDecisionBy: string | null;
  finalPlanBy: string | null;
  withdrawnBy: string | null;
  planId: string | null;
};

const STEP_OF_KIND: Partial<Record<DeadlineKind, string>> = {
  EHC_DECISION_TO_ASSESS: 'DECISION_TO_ASSESS',
  EHC_ADVICE: 'ADVICE',
  EHC_ISSUE_DECISION: 'ISSUE_DECISION',
  EHC_FINAL_PLAN: 'FINAL_PLAN',
  ANNUAL_REVIEW_MEETING: 'ANNUAL_REVIEW_MEETING',
};
const STEP_ORDER = ['REQUEST_RECEIVED', 'DECISION_TO_ASSESS', 'ADVICE', 'ISSUE_DECISION', 'FINAL_PLAN', 'ANNUAL_REVIEW_MEETING', 'WITHDRAWN'];

/**
 * EHC needs assessments on the statutory clock. Every step is one transaction: the case row, its
 * deadlines (through TimelinessService only) and the audit row. Lateness is never computed here:
 * statuses come from deadline_status() in SQL as of today.
 */
@Injectable()
export class EhcAssessmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly timeliness: TimelinessService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly phaseTransfers: PhaseTransfersService,
    private readonly accessLog: AccessLogWriter,
  ) {}

  // --- reads ---------------------------------------------------------------------------------

  async list(caller: Caller, scope: ScopeFilter, query: EhcAssessmentQueryDto): Promise<Page<EhcAssessmentSummaryView>> {
    const qb = this.summaryQuery(this.dataSource.manager);
    applyScope(qb, scope, CASE_SCOPE_COLUMNS);
    if (query.stage) qb.andWhere('a.stage = :stage', { stage: query.stage });
    if (query.localityId) qb.andWhere('school.locality_id = :localityId', { localityId: query.localityId });
    if (query.schoolId) qb.andWhere('pupil.school_id = :schoolId', { schoolId: query.schoolId });
    if (query.caseworkerId) qb.andWhere('a.caseworker_id = :caseworkerId', { caseworkerId: query.caseworkerId });
    if (query.pupilId) qb.andWhere('a.pupil_id = :pupilId', { pupilId: query.pupilId });
    if (query.mine) qb.andWhere('a.caseworker_id = :mine', { mine: caller.userId });
    const page = await paginate<EhcAssessmentSummaryView>(qb, query, {
      sortable: { nextDueOn: `COALESCE(a.next_due_on, '${FAR_FUTURE}'::date)`, requestReceivedOn: 'a.request_received_on' },
      defaultSort: 'nextDueOn',
      idColumn: 'a.id',
      raw: true,
      keyOf: (row, field) => (field === 'nextDueOn' ? (row.nextDueOn ?? FAR_FUTURE) : row.requestReceivedOn),
    });
    return { data: page.data.map(summaryOf), nextCursor: page.nextCursor };
  }

  /**
   * One case; reading it is reading the child's record, so it writes an access row ('ehc-assessment.read'),
   * queued to the batched writer: a read is no write use case, so it needs no transaction of its own.
   */
  async get(caller: Caller, scope: ScopeFilter, id: string): Promise<EhcAssessmentView> {
    const view = await this.detail(this.dataSource.manager, scope, id);
    this.accessLog.record(caller, {
      action: 'ehc-assessment.read',
      entityType: 'ehc-assessment',
      entityId: view.id,
      place: { schoolId: view.schoolId, localityId: view.localityId, pupilId: view.pupilId },
    });
    return view;
  }

  async listAdvice(scope: ScopeFilter, query: AdviceRequestQueryDto): Promise<Page<AdviceRequestView>> {
    const qb = this.adviceQuery(this.dataSource.manager);
    applyScope(qb, scope, ADVICE_SCOPE_COLUMNS);
    this.providerWindow(qb, scope);
    if (query.organisationId) qb.andWhere('ar.organisation_id = :organisationId', { organisationId: query.organisationId });
    if (query.assessmentId) qb.andWhere('ar.assessment_id = :assessmentId', { assessmentId: query.assessmentId });
    if (query.dueBefore) qb.andWhere('d.due_on < :dueBefore::date', { dueBefore: query.dueBefore });
    // Outstanding advice has an open EHC_ADVICE deadline (met when received, cancelled when cancelled, in the
    // same transaction): saying so lets the page walk deadline_advice_open_due_idx in its order.
    if (query.status === 'REQUESTED') qb.andWhere('ar.received_on IS NULL AND ar.cancelled_on IS NULL AND d.met_on IS NULL AND d.cancelled_on IS NULL');
    else if (query.status === 'RECEIVED') qb.andWhere('ar.received_on IS NOT NULL');
    else if (query.status === 'CANCELLED') qb.andWhere('ar.cancelled_on IS NOT NULL');
    else if (query.status) qb.andWhere(`${STATUS_SQL('d')} = :deadlineStatus`, { deadlineStatus: query.status });
    const page = await paginate<AdviceRow>(qb, query, {
      sortable: { dueOn: 'd.due_on', requestedOn: 'ar.requested_on' },
      defaultSort: 'dueOn',
      idColumn: 'ar.id',
      raw: true,
    });
    const today = this.clock.today();
    return { data: page.data.map((row) => adviceViewOf(row, today)), nextCursor: page.nextCursor };
  }

  // --- create --------------------------------------------------------------------------------

  async create(caller: Caller, scope: ScopeFilter, dto: CreateEhcAssessmentDto): Promise<EhcAssessmentView> {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      const errors: FieldError[] = [];
      const caseworkerId = dto.caseworkerId ?? caller.userId;
      const [caseworker] = (await manager.query(`SELECT id FROM app_user WHERE id = $1 AND role = 'CASEWORKER' AND active`, [caseworkerId])) as {
        id: string;
      }[];
      if (!caseworker) errors.push({ field: 'caseworkerId', message: 'unknown caseworker: must be an active CASEWORKER user' });
      const pupil = await this.pupilInScope(manager, scope, dto.pupilId);
      if (!pupil) errors.push({ field: 'pupilId', message: 'unknown pupil' });
      else if (pupil.leftOn) errors.push({ field: 'pupilId', message: `the pupil left on ${pupil.leftOn}` });
      if (compareDates(dto.requestReceivedOn, today) > 0) {
        errors.push({ field: 'requestReceivedOn', message: `must not be in the future (today is ${today})` });
      } else if (pupil && compareDates(dto.requestReceivedOn, pupil.dateOfBirth) <= 0) {
        errors.push({ field: 'requestReceivedOn', message: 'must be after the pupil’s date of birth' });
      }
      if (errors.length || !pupil) throw ProblemException.validation(errors);

      // The pupil row is locked above: a concurrent create for the same pupil waits, then sees this one.
      const [open] = (await manager.query(
        `SELECT id FROM ehc_assessment WHERE pupil_id = $1 AND stage IN ('REQUESTED', 'ASSESSING', 'DRAFT_ISSUED')`,
        [pupil.pupilId],
      )) as { id: string }[];
      if (open) {
        throw ProblemException.duplicate([{ field: 'pupilId', message: `the pupil already has an open EHC needs assessment (${open.id})` }]);
      }
      const saved = await manager.save(
        manager.create(EhcAssessment, {
          pupilId: pupil.pupilId,
          requestReceivedOn: dto.requestReceivedOn,
          requestedBy: dto.requestedBy,
          caseworkerId,
          stage: 'REQUESTED',
          decisionToAssess: null,
          decisionToAssessOn: null,
          decisionToAssessBy: null,
          issueDecision: null,
          issueDecisionOn: null,
          issueDecisionBy: null,
          finalPlanIssuedOn: null,
          finalPlanBy: null,
          withdrawnOn: null,
          withdrawReason: null,
          withdrawnBy: null,
          createdBy: caller.userId,
        }),
      );
      for (const kind of ['EHC_DECISION_TO_ASSESS', 'EHC_ISSUE_DECISION', 'EHC_FINAL_PLAN'] as const) {
        await this.timeliness.open(manager, {
          kind,
          ...caseSubject(saved.id),
          startsOn: dto.requestReceivedOn,
          pupilId: pupil.pupilId,
          schoolId: pupil.schoolId,
          localityId: pupil.localityId,
        });
      }
      await this.audit.record(manager, caller, {
        action: 'ehc-assessment.create',
        entityType: 'ehc-assessment',
        entityId: saved.id,
        changedFields: ['caseworkerId', 'pupilId', 'requestReceivedOn', 'requestedBy'],
        place: { schoolId: pupil.schoolId, localityId: pupil.localityId, pupilId: pupil.pupilId },
      });
      return this.detail(manager, {}, saved.id);
    });
  }

  // --- steps ---------------------------------------------------------------------------------

  /** REQUESTED -> ASSESSING or NOT_ASSESSED; meets EHC_DECISION_TO_ASSESS; "no" cancels the later deadlines. */
  decisionToAssess(caller: Caller, scope: ScopeFilter, id: string, dto: DecisionDto): Promise<EhcAssessmentView> {
    return this.step(caller, scope, id, 'decision-to-assess', dto.version, dto.decision, async (manager, a, place) => {
      this.assertDate(a, 'decision-to-assess', 'decidedOn', dto.decidedOn);
      a.decisionToAssess = dto.decision;
      a.decisionToAssessOn = dto.decidedOn;
      a.decisionToAssessBy = caller.userId;
      await manager.save(a);
      await this.timeliness.meet(manager, caseSubject(a.id), 'EHC_DECISION_TO_ASSESS', dto.decidedOn);
      if (!dto.decision) await this.timeliness.cancel(manager, caseSubject(a.id), dto.decidedOn, ['EHC_ISSUE_DECISION', 'EHC_FINAL_PLAN']);
      return { action: 'decision-to-assess', fields: ['decisionToAssess', 'decisionToAssessOn', 'stage'], place };
    });
  }

  /** ASSESSING -> DRAFT_ISSUED or NOT_ISSUED; meets EHC_ISSUE_DECISION; open advice is no longer awaited. */
  issueDecision(caller: Caller, scope: ScopeFilter, id: string, dto: DecisionDto): Promise<EhcAssessmentView> {
    return this.step(caller, scope, id, 'issue-decision', dto.version, dto.decision, async (manager, a, place) => {
      this.assertDate(a, 'issue-decision', 'decidedOn', dto.decidedOn);
      a.issueDecision = dto.decision;
      a.issueDecisionOn = dto.decidedOn;
      a.issueDecisionBy = caller.userId;
      await manager.save(a);
      await this.timeliness.meet(manager, caseSubject(a.id), 'EHC_ISSUE_DECISION', dto.decidedOn);
      if (!dto.decision) await this.timeliness.cancel(manager, caseSubject(a.id), dto.decidedOn, ['EHC_FINAL_PLAN']);
      await this.cancelOpenAdvice(manager, a.id, dto.decidedOn);
      return { action: 'issue-decision', fields: ['issueDecision', 'issueDecisionOn', 'stage'], place };
    });
  }

  /**
   * DRAFT_ISSUED -> PLAN_ISSUED; meets EHC_FINAL_PLAN; creates the EHC plan, makes the pupil's
   * SEN status E (a dated history row) and opens the plan's ANNUAL_REVIEW_MEETING (12 months).
   */
  finalPlan(caller: Caller, scope: ScopeFilter, id: string, dto: FinalPlanDto): Promise<EhcAssessmentView> {
    return this.step(caller, scope, id, 'final-plan', dto.version, undefined, async (manager, a, place) => {
      this.assertDate(a, 'final-plan', 'issuedOn', dto.issuedOn);
      let settingSchoolId: string | null = null;
      if (dto.settingUrn) {
        const [school] = (await manager.query(`SELECT id FROM school WHERE urn = $1`, [dto.settingUrn])) as { id: string }[];
        if (!school) throw ProblemException.invalidField('settingUrn', 'unknown school: no school has this URN');
        settingSchoolId = school.id;
      }
      const pupil = await manager.findOneOrFail(Pupil, { where: { id: a.pupilId }, lock: { mode: 'pessimistic_write' } });
      if (!pupil.primaryNeed || pupil.primaryNeed === NSA) {
        throw new ProblemException(
          'invalid-transition',
          'an EHC plan names the child’s assessed needs: record the pupil’s primary need (not NSA) before issuing the final plan',
          undefined,
          { currentStage: 'DRAFT_ISSUED', primaryNeed: pupil.primaryNeed },
        );
      }
      a.finalPlanIssuedOn = dto.issuedOn;
      a.finalPlanBy = caller.userId;
      await manager.save(a);
      await this.timeliness.meet(manager, caseSubject(a.id), 'EHC_FINAL_PLAN', dto.issuedOn);
      const plan = await manager.save(
        manager.create(EhcPlan, {
          pupilId: a.pupilId,
          assessmentId: a.id,
          issuedOn: dto.issuedOn,
          settingSchoolId,
          primaryNeed: pupil.primaryNeed,
          secondaryNeed: pupil.secondaryNeed,
          ceasedOn: null,
          ceaseReason: null,
          createdBy: caller.userId,
        }),
      );
      await this.timeliness.open(manager, {
        kind: 'ANNUAL_REVIEW_MEETING',
        subjectType: 'EHC_PLAN',
        subjectId: plan.id,
        startsOn: dto.issuedOn,
        ...place,
      });
      // A plan issued in the pupil's transfer year owes that year's phase transfer.
      await this.phaseTransfers.openForPlan(manager, plan.id, academicYearOf(dto.issuedOn));
      await this.audit.record(manager, caller, {
        action: 'ehc-plan.create',
        entityType: 'ehc-plan',
        entityId: plan.id,
        changedFields: settingSchoolId ? ['issuedOn', 'settingSchoolId'] : ['issuedOn'],
        place,
      });
      if (pupil.senStatus !== 'E') await this.makeSenStatusE(manager, caller, pupil, dto.issuedOn, place);
      return { action: 'final-plan', fields: ['finalPlanIssuedOn', 'stage'], place };
    });
  }

  /** Any open stage -> WITHDRAWN; every open deadline of the case (advice too) closes as cancelled. */
  withdraw(caller: Caller, scope: ScopeFilter, id: string, dto: WithdrawDto): Promise<EhcAssessmentView> {
    return this.step(caller, scope, id, 'withdraw', dto.version, undefined, async (manager, a, place) => {
      this.assertDate(a, 'withdraw', 'withdrawnOn', dto.withdrawnOn);
      a.withdrawnOn = dto.withdrawnOn;
      a.withdrawReason = dto.reason;
      a.withdrawnBy = caller.userId;
      await manager.save(a);
      await this.timeliness.cancel(manager, caseSubject(a.id), dto.withdrawnOn);
      await this.cancelOpenAdvice(manager, a.id, dto.withdrawnOn);
      return { action: 'withdraw', fields: ['stage', 'withdrawReason', 'withdrawnOn'], place };
    });
  }

  /** Advice asked of a body while ASSESSING: opens EHC_ADVICE (6 weeks) on that organisation's worklist. */
  async requestAdvice(caller: Caller, scope: ScopeFilter, id: string, dto: CreateAdviceRequestDto): Promise<AdviceRequestView> {
    return this.dataSource.transaction(async (manager) => {
      const { a, place } = await this.lockCase(manager, scope, id);
      assertStep(a.stage, 'advice-request');
      const errors: FieldError[] = [];
      const [organisation] = (await manager.query(`SELECT id FROM organisation WHERE id = $1`, [dto.organisationId])) as { id: string }[];
      if (!organisation) errors.push({ field: 'organisationId', message: 'unknown organisation' });
      const problem = stepDateProblem(dto.requestedOn, previousStep('advice-request', a), this.clock.today());
      if (problem) errors.push({ field: 'requestedOn', message: problem });
      if (errors.length) throw ProblemException.validation(errors);
      const advice = await manager.save(
        manager.create(AdviceRequest, {
          assessmentId: a.id,
          pupilId: a.pupilId,
          adviceType: dto.adviceType,
          organisationId: dto.organisationId,
          requestedOn: dto.requestedOn,
          requestedBy: caller.userId,
          receivedOn: null,
          receivedBy: null,
          cancelledOn: null,
        }),
      );
      await this.timeliness.open(manager, {
        kind: 'EHC_ADVICE',
        ...adviceSubject(advice.id),
        startsOn: dto.requestedOn,
        ...place,
        organisationId: dto.organisationId,
      });
      await this.audit.record(manager, caller, {
        action: 'advice-request.create',
        entityType: 'advice-request',
        entityId: advice.id,
        changedFields: ['adviceType', 'organisationId', 'requestedOn'],
        place: { ...place, organisationId: dto.organisationId },
      });
      return this.adviceView(manager, advice.id);
    });
  }

  /** The advice is in: meets EHC_ADVICE. A caseworker in scope, or the provider organisation asked. */
  async adviceReceived(caller: Caller, scope: ScopeFilter, id: string, dto: AdviceReceivedDto): Promise<AdviceRequestView> {
    return this.dataSource.transaction(async (manager) => {
      const qb = manager
        .createQueryBuilder(AdviceRequest, 'ar')
        .innerJoin(Pupil, 'pupil', 'pupil.id = ar.pupil_id')
        .innerJoin('school', 'school', 'school.id = pupil.school_id')
        .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
        .where('ar.id = :id', { id })
        .setLock('pessimistic_write', undefined, ['ar']);
      applyScope(qb, scope, ADVICE_SCOPE_COLUMNS);
      const advice = await qb.getOne();
      if (!advice) throw ProblemException.notFound('advice request');
      if (dto.version !== undefined) assertVersion('the advice request', advice.version, dto.version);
      const status = advice.receivedOn ? 'RECEIVED' : advice.cancelledOn ? 'CANCELLED' : 'REQUESTED';
      if (status !== 'REQUESTED') {
        throw new ProblemException(
          'invalid-transition',
          `the advice request is ${status}; only advice still REQUESTED can be received`,
          undefined,
          { currentStatus: status },
        );
      }
      const problem = stepDateProblem(dto.receivedOn, { field: 'requestedOn', date: advice.requestedOn }, this.clock.today());
      if (problem) throw ProblemException.invalidField('receivedOn', problem);
      advice.receivedOn = dto.receivedOn;
      advice.receivedBy = caller.userId;
      await manager.save(advice);
      await this.timeliness.meet(manager, adviceSubject(advice.id), 'EHC_ADVICE', dto.receivedOn);
      const [place] = (await manager.query(
        `SELECT p.school_id AS "schoolId", s.locality_id AS "localityId" FROM pupil p JOIN school s ON s.id = p.school_id WHERE p.id = $1`,
        [advice.pupilId],
      )) as { schoolId: string; localityId: string }[];
      await this.audit.record(manager, caller, {
        action: 'advice-request.received',
        entityType: 'advice-request',
        entityId: advice.id,
        changedFields: ['receivedOn'],
        place: { ...place, pupilId: advice.pupilId, organisationId: advice.organisationId },
      });
      return this.adviceView(manager, advice.id);
    });
  }

  /** Reg 10(4) exception: marks EHC_FINAL_PLAN excepted; its due date does not move. The note is never audited. */
  async recordException(caller: Caller, scope: ScopeFilter, id: string, dto: CreateExceptionDto): Promise<ExceptionView> {
    return this.dataSource.transaction(async (manager) => {
      const { a, place } = await this.lockCase(manager, scope, id);
      assertStep(a.stage, 'exception');
      const errors = exceptionProblems(dto.reason, dto.fromOn, dto.toOn, a.requestReceivedOn, this.clock.today());
      if (errors.length) throw ProblemException.validation(errors);
      const exception = await manager.save(
        manager.create(EhcException, {
          assessmentId: a.id,
          reason: dto.reason,
          fromOn: dto.fromOn,
          toOn: dto.toOn,
          note: dto.note ?? null,
          recordedBy: caller.userId,
        }),
      );
      await this.timeliness.markException(manager, caseSubject(a.id), ['EHC_FINAL_PLAN'], dto.reason);
      await this.audit.record(manager, caller, {
        action: 'ehc-assessment.exception',
        entityType: 'ehc-assessment',
        entityId: a.id,
        changedFields: dto.note ? ['fromOn', 'note', 'reason', 'toOn'] : ['fromOn', 'reason', 'toOn'],
        place,
      });
      return exceptionViewOf(exception);
    });
  }

  /** Mediation or tribunal at the request, assessment or plan stage (SEN2 flags). */
  async recordAppeal(caller: Caller, scope: ScopeFilter, id: string, dto: CreateAppealDto): Promise<AppealView> {
    return this.dataSource.transaction(async (manager) => {
      const { a, place } = await this.lockCase(manager, scope, id);
      assertStep(a.stage, 'appeal');
      const problem = stepDateProblem(dto.startedOn, previousStep('appeal', a), this.clock.today());
      if (problem) throw ProblemException.invalidField('startedOn', problem);
      const appeal = await manager.save(
        manager.create(EhcAppeal, { assessmentId: a.id, kind: dto.kind, stage: dto.stage, startedOn: dto.startedOn, recordedBy: caller.userId }),
      );
      await this.audit.record(manager, caller, {
        action: 'ehc-assessment.appeal',
        entityType: 'ehc-assessment',
        entityId: a.id,
        changedFields: ['kind', 'stage', 'startedOn'],
        place,
      });
      return appealViewOf(appeal);
    });
  }

  // --- helpers -------------------------------------------------------------------------------

  /** One step of the state machine in one transaction: lock, version, stage, the change, audit, view. */
  private step(
    caller: Caller,
    scope: ScopeFilter,
    id: string,
    step: EhcStep,
    version: number | undefined,
    decision: boolean | undefined,
    apply: (manager: EntityManager, a: EhcAssessment, place: Place) => Promise<{ action: string; fields: string[]; place: Place }>,
  ): Promise<EhcAssessmentView> {
    return this.dataSource.transaction(async (manager) => {
      const { a, place } = await this.lockCase(manager, scope, id);
      if (version !== undefined) assertVersion('the EHC needs assessment', a.version, version);
      a.stage = assertStep(a.stage, step, decision);
      const done = await apply(manager, a, place);
      await this.audit.record(manager, caller, {
        action: `ehc-assessment.${done.action}`,
        entityType: 'ehc-assessment',
        entityId: a.id,
        changedFields: done.fields,
        place: done.place,
      });
      return this.detail(manager, {}, a.id);
    });
  }

  private assertDate(a: EhcAssessment, step: EhcStep, field: string, date: CalendarDate): void {
    const problem = stepDateProblem(date, previousStep(step, a), this.clock.today());
    if (problem) throw ProblemException.invalidField(field, problem);
  }

  /** The case, locked, if the caller's scope reaches it (404 otherwise), with where its pupil is. */
  private async lockCase(manager: EntityManager, scope: ScopeFilter, id: string): Promise<{ a: EhcAssessment; place: Place }> {
    const qb = manager
      .createQueryBuilder(EhcAssessment, 'a')
      .innerJoin(Pupil, 'pupil', 'pupil.id = a.pupil_id')
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      .where('a.id = :id', { id })
      .setLock('pessimistic_write', undefined, ['a']);
    applyScope(qb, scope, CASE_SCOPE_COLUMNS);
    const a = await qb.getOne();
    if (!a) throw ProblemException.notFound('EHC needs assessment');
    const [place] = (await manager.query(
      `SELECT p.id AS "pupilId", p.school_id AS "schoolId", s.locality_id AS "localityId" FROM pupil p JOIN school s ON s.id = p.school_id WHERE p.id = $1`,
      [a.pupilId],
    )) as Place[];
    return { a, place };
  }

  /** Open advice of a case is no longer awaited: the request and its EHC_ADVICE deadline close as cancelled. */
  private async cancelOpenAdvice(manager: EntityManager, assessmentId: string, on: CalendarDate): Promise<void> {
    const open = (await manager.query(
      `UPDATE advice_request SET cancelled_on = GREATEST($2::date, requested_on), version = version + 1, updated_at = now()
       WHERE assessment_id = $1 AND received_on IS NULL AND cancelled_on IS NULL RETURNING id`,
      [assessmentId, on],
    )) as [{ id: string }[], number] | { id: string }[];
    const rows = (Array.isArray(open[0]) ? open[0] : open) as { id: string }[];
    for (const row of rows) await this.timeliness.cancel(manager, adviceSubject(row.id), on, ['EHC_ADVICE']);
  }

  /**
   * The pupil now has an EHC plan: census status E, with a dated history row. The row is dated the
   * plan's issue date, or the pupil's last status change if that is later (history stays in date
   * order, so "as at" reads never go back to an older status).
   */
  private async makeSenStatusE(manager: EntityManager, caller: Caller, pupil: Pupil, issuedOn: CalendarDate, place: Place): Promise<void> {
    const [{ last }] = (await manager.query(
      `SELECT max(effective_on) AS last FROM pupil_history WHERE pupil_id = $1`,
      [pupil.id],
    )) as { last: string | null }[];
    const effectiveOn = last && compareDates(last, issuedOn) > 0 ? last : issuedOn;
    await manager.update(Pupil, { id: pupil.id }, { senStatus: 'E' });
    await manager.insert(PupilHistory, {
      pupilId: pupil.id,
      field: 'senStatus',
      fromValue: pupil.senStatus,
      toValue: 'E',
      effectiveOn,
      changedBy: caller.userId,
    });
    await this.audit.record(manager, caller, {
      action: 'pupil.update',
      entityType: 'pupil',
      entityId: pupil.id,
      changedFields: ['senStatus'],
      place,
    });
  }

  private async pupilInScope(
    manager: EntityManager,
    scope: ScopeFilter,
    pupilId: string,
  ): Promise<(Place & { leftOn: string | null; dateOfBirth: string }) | undefined> {
    const qb = manager
      .createQueryBuilder(Pupil, 'pupil')
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      .select('pupil.id', 'pupilId')
      .addSelect('pupil.school_id', 'schoolId')
      .addSelect('school.locality_id', 'localityId')
      .addSelect('pupil.left_on', 'leftOn')
      .addSelect('pupil.date_of_birth', 'dateOfBirth')
      .where('pupil.id = :pupilId', { pupilId })
      .setLock('pessimistic_write', undefined, ['pupil']);
    applyScope(qb, scope, CASE_SCOPE_COLUMNS);
    const row = await qb.getRawOne<Place & { leftOn: string | null; dateOfBirth: string }>();
    if (!row) return undefined;
    return { pupilId: row.pupilId, schoolId: row.schoolId, localityId: row.localityId, leftOn: row.leftOn, dateOfBirth: row.dateOfBirth };
  }

  /** A PROVIDER sees their advice while awaited and for the provider access window after it ends (as allocations). */
  private providerWindow(qb: SelectQueryBuilder<ObjectLiteral>, scope: ScopeFilter): void {
    if (scope.organisationId === undefined) return;
    qb.andWhere('(COALESCE(ar.received_on, ar.cancelled_on) IS NULL OR COALESCE(ar.received_on, ar.cancelled_on) >= :accessFrom::date)', {
      accessFrom: providerAccessFrom(this.clock.today(), this.config.providerAccessDaysAfterCompletion),
    });
  }

  private summaryQuery(manager: EntityManager): SelectQueryBuilder<ObjectLiteral> {
    return manager
      .createQueryBuilder()
      .select([
        'a.id AS id',
        'a.pupil_id AS "pupilId"',
        'pupil.upn AS "pupilUpn"',
        `pupil.first_name || ' ' || pupil.last_name AS "pupilName"`,
        'pupil.school_id AS "schoolId"',
        'school.name AS "schoolName"',
        'school.locality_id AS "localityId"',
        'a.request_received_on AS "requestReceivedOn"',
        'a.requested_by AS "requestedBy"',
        'a.caseworker_id AS "caseworkerId"',
        'cw.name AS "caseworkerName"',
        'a.stage AS stage',
        'a.decision_to_assess AS "decisionToAssess"',
        'a.decision_to_assess_on AS "decisionToAssessOn"',
        'a.issue_decision AS "issueDecision"',
        'a.issue_decision_on AS "issueDecisionOn"',
        'a.final_plan_issued_on AS "finalPlanIssuedOn"',
        'a.withdrawn_on AS "withdrawnOn"',
        'nd.due_on AS "nextDueOn"',
        'nd.kind AS "nextDueKind"',
        `CASE WHEN nd.id IS NOT NULL THEN ${STATUS_SQL('nd')} END AS "nextDueStatus"`,
        `EXISTS (SELECT 1 FROM deadline fp WHERE fp.subject_type = 'EHC_ASSESSMENT' AND fp.subject_id = a.id AND fp.kind = 'EHC_FINAL_PLAN' AND fp.excepted) AS excepted`,
        'a.version AS version',
      ])
      .from('ehc_assessment', 'a')
      .innerJoin('pupil', 'pupil', 'pupil.id = a.pupil_id')
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      .leftJoin('app_user', 'cw', 'cw.id = a.caseworker_id')
      // The case's next statutory date, kept on the case row by triggers (migration 1764560000000) so the
      // list can walk an index in its order instead of aggregating every open deadline per request.
      .leftJoin('deadline', 'nd', 'nd.id = a.next_deadline_id')
      .setParameters({ today: this.clock.today(), dueSoon: this.config.dueSoonDays });
  }

  private adviceQuery(manager: EntityManager): SelectQueryBuilder<ObjectLiteral> {
    return manager
      .createQueryBuilder()
      .select([
        'ar.id AS id',
        'ar.assessment_id AS "assessmentId"',
        'ar.advice_type AS "adviceType"',
        'ar.organisation_id AS "organisationId"',
        'org.name AS "organisationName"',
        `CASE WHEN ar.received_on IS NOT NULL THEN 'RECEIVED' WHEN ar.cancelled_on IS NOT NULL THEN 'CANCELLED' ELSE 'REQUESTED' END AS status`,
        'ar.requested_on AS "requestedOn"',
        'd.due_on AS "dueOn"',
        'ar.received_on AS "receivedOn"',
        'ar.cancelled_on AS "cancelledOn"',
        `${STATUS_SQL('d')} AS "deadlineStatus"`,
        `CASE ${STATUS_SQL('d')} WHEN 'OVERDUE' THEN :today::date - d.due_on WHEN 'MET_LATE' THEN d.met_on - d.due_on ELSE 0 END AS "daysOverdue"`,
        'd.id AS "deadlineId"',
        'ar.version AS version',
        'ar.received_by AS "receivedBy"',
        'pupil.id AS "pupilId"',
        'pupil.upn AS "pupilUpn"',
        'pupil.first_name AS "pupilFirstName"',
        'pupil.last_name AS "pupilLastName"',
        'pupil.date_of_birth AS "pupilDateOfBirth"',
        'pupil.year_offset AS "pupilYearOffset"',
        'pupil.school_id AS "pupilSchoolId"',
        'school.name AS "pupilSchoolName"',
        'pupil.primary_need AS "pupilPrimaryNeed"',
        'pupil.secondary_need AS "pupilSecondaryNeed"',
      ])
      .from('advice_request', 'ar')
      .innerJoin('deadline', 'd', `d.subject_type = 'ADVICE_REQUEST' AND d.subject_id = ar.id AND d.kind = 'EHC_ADVICE'`)
      .innerJoin('organisation', 'org', 'org.id = ar.organisation_id')
      .innerJoin('pupil', 'pupil', 'pupil.id = ar.pupil_id')
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      .setParameters({ today: this.clock.today(), dueSoon: this.config.dueSoonDays });
  }

  private async adviceView(manager: EntityManager, id: string): Promise<AdviceRequestView> {
    const row = await this.adviceQuery(manager).where('ar.id = :id', { id }).getRawOne<AdviceRow>();
    if (!row) throw ProblemException.notFound('advice request');
    return adviceViewOf(row, this.clock.today());
  }

  /** The case with its timeline, advice requests, exceptions and appeals. */
  private async detail(manager: EntityManager, scope: ScopeFilter, id: string): Promise<EhcAssessmentView> {
    const today = this.clock.today();
    const qb = this.summaryQuery(manager)
      .addSelect('a.withdraw_reason', 'withdrawReason')
      .addSelect('a.created_by', 'createdBy')
      .addSelect('a.decision_to_assess_by', 'decisionToAssessBy')
      .addSelect('a.issue_decision_by', 'issueDecisionBy')
      .addSelect('a.final_plan_by', 'finalPlanBy')
      .addSelect('a.withdrawn_by', 'withdrawnBy')
      .addSelect('(SELECT p.id FROM ehc_plan p WHERE p.assessment_id = a.id)', 'planId')
      .where('a.id = :id', { id });
    applyScope(qb, scope, CASE_SCOPE_COLUMNS);
    const row = await qb.getRawOne<DetailRow>();
    if (!row) throw ProblemException.notFound('EHC needs assessment');

    const deadlines = (await manager
      .createQueryBuilder()
      .select([
        'd.id AS "deadlineId"',
        'd.kind AS kind',
        'd.subject_type AS "subjectType"',
        'd.subject_id AS "subjectId"',
        'd.starts_on AS "startsOn"',
        'd.due_on AS "dueOn"',
        'd.met_on AS "metOn"',
        'd.cancelled_on AS "cancelledOn"',
        'd.excepted AS excepted',
        `${STATUS_SQL('d')} AS status`,
      ])
      .from('deadline', 'd')
      .innerJoin('ehc_assessment', 'a', 'a.id = :id', { id })
      .where(CASE_DEADLINES_SQL('d', 'a'))
      .orderBy('d.starts_on')
      .addOrderBy('d.created_at')
      .setParameters({ today, dueSoon: this.config.dueSoonDays })
      .getRawMany()) as DeadlineRow[];
    const advice = ((await this.adviceQuery(manager).where('ar.assessment_id = :id', { id }).orderBy('ar.requested_on').addOrderBy('ar.created_at').getRawMany()) as AdviceRow[]);
    const adviceById = new Map(advice.map((r) => [r.id, r]));
    const exceptions = await manager.find(EhcException, { where: { assessmentId: id }, order: { fromOn: 'ASC', createdAt: 'ASC' } });
    const appeals = await manager.find(EhcAppeal, { where: { assessmentId: id }, order: { startedOn: 'ASC', createdAt: 'ASC' } });

    const recorder: Partial<Record<string, string | null>> = {
      DECISION_TO_ASSESS: row.decisionToAssessBy,
      ISSUE_DECISION: row.issueDecisionBy,
      FINAL_PLAN: row.finalPlanBy,
    };
    const decision: Partial<Record<string, boolean | null>> = { DECISION_TO_ASSESS: row.decisionToAssess, ISSUE_DECISION: row.issueDecision };
    const blank = { kind: null, deadlineId: null, subjectType: null, subjectId: null, startsOn: null, dueOn: null, cancelledOn: null, status: null, excepted: false, decision: null, organisationId: null, adviceType: null, recordedByName: null };
    const timeline: TimelineStepView[] = [
      { ...blank, step: 'REQUEST_RECEIVED', subjectType: 'EHC_ASSESSMENT', subjectId: row.id, date: row.requestReceivedOn, recordedBy: row.createdBy },
      ...deadlines.map((d): TimelineStepView => {
        const step = STEP_OF_KIND[d.kind] ?? d.kind;
        const ad = d.subjectType === 'ADVICE_REQUEST' ? adviceById.get(d.subjectId) : undefined;
        return {
          step,
          kind: d.kind,
          deadlineId: d.deadlineId,
          subjectType: d.subjectType,
          subjectId: d.subjectId,
          startsOn: d.startsOn,
          date: d.metOn,
          dueOn: d.dueOn,
          cancelledOn: d.cancelledOn,
          status: d.status,
          excepted: d.excepted,
          decision: decision[step] ?? null,
          recordedBy: d.metOn ? (ad ? ad.receivedBy : (recorder[step] ?? null)) : null,
          recordedByName: null,
          organisationId: ad?.organisationId ?? null,
          adviceType: ad?.adviceType ?? null,
        };
      }),
    ];
    if (row.withdrawnOn) {
      timeline.push({ ...blank, step: 'WITHDRAWN', subjectType: 'EHC_ASSESSMENT', subjectId: row.id, date: row.withdrawnOn, recordedBy: row.withdrawnBy });
    }
    timeline.sort((x, y) => STEP_ORDER.indexOf(x.step) - STEP_ORDER.indexOf(y.step) || compareDates(x.startsOn ?? '1900-01-01', y.startsOn ?? '1900-01-01'));
    const ids = [...new Set(timeline.map((s) => s.recordedBy).filter((v): v is string => !!v))];
    if (ids.length) {
      const users = (await manager.query(`SELECT id, name FROM app_user WHERE id = ANY($1::uuid[])`, [ids])) as { id: string; name: string }[];
      const names = new Map(users.map((u) => [u.id, u.name]));
      for (const s of timeline) s.recordedByName = s.recordedBy ? (names.get(s.recordedBy) ?? null) : null;
    }
    return {
      ...summaryOf(row),
      planId: row.planId,
      withdrawReason: row.withdrawReason,
      timeline,
      adviceRequests: advice.map((r) => adviceViewOf(r, today)),
      exceptions: exceptions.map(exceptionViewOf),
      appeals: appeals.map(appealViewOf),
    };
  }
}

/** The next stage, or 409 invalid-transition naming the current stage. */
function assertStep(stage: EhcStage, step: EhcStep, decision?: boolean): EhcStage {
  const next = nextStage(stage, step, decision);
  if (next) return next;
  throw new ProblemException(
    'invalid-transition',
    `the EHC needs assessment is ${stage}; ${step} is only possible when it is ${stagesAllowing(step).join(' or ')}`,
    undefined,
    { currentStage: stage },
  );
}

function summaryOf(row: EhcAssessmentSummaryView): EhcAssessmentSummaryView {
  return {
    id: row.id,
    pupilId: row.pupilId,
    pupilUpn: row.pupilUpn,
    pupilName: row.pupilName,
    schoolId: row.schoolId,
    schoolName: row.schoolName,
    localityId: row.localityId,
    requestReceivedOn: row.requestReceivedOn,
    requestedBy: row.requestedBy,
    caseworkerId: row.caseworkerId,
    caseworkerName: row.caseworkerName,
    stage: row.stage,
    decisionToAssess: row.decisionToAssess,
    decisionToAssessOn: row.decisionToAssessOn,
    issueDecision: row.issueDecision,
    issueDecisionOn: row.issueDecisionOn,
    finalPlanIssuedOn: row.finalPlanIssuedOn,
    withdrawnOn: row.withdrawnOn,
    nextDueOn: row.nextDueOn,
    nextDueKind: row.nextDueKind,
    nextDueStatus: row.nextDueStatus,
    excepted: row.excepted,
    version: Number(row.version),
  };
}

function adviceViewOf(row: AdviceRow, today: CalendarDate): AdviceRequestView {
  return {
    id: row.id,
    assessmentId: row.assessmentId,
    adviceType: row.adviceType,
    organisationId: row.organisationId,
    organisationName: row.organisationName,
    status: row.status,
    requestedOn: row.requestedOn,
    dueOn: row.dueOn,
    receivedOn: row.receivedOn,
    cancelledOn: row.cancelledOn,
    deadlineStatus: row.deadlineStatus,
    daysOverdue: Number(row.daysOverdue),
    deadlineId: row.deadlineId,
    pupil: {
      id: row.pupilId,
      upn: row.pupilUpn,
      firstName: row.pupilFirstName,
      lastName: row.pupilLastName,
      dateOfBirth: row.pupilDateOfBirth,
      yearGroup: yearGroupFromBirth(row.pupilDateOfBirth, today) + Number(row.pupilYearOffset),
      schoolId: row.pupilSchoolId,
      schoolName: row.pupilSchoolName,
      primaryNeed: row.pupilPrimaryNeed,
      secondaryNeed: row.pupilSecondaryNeed,
    },
    version: Number(row.version),
  };
}

/** The worklist as flat CSV rows. */
export function adviceCsvRow(v: AdviceRequestView) {
  return {
    id: v.id,
    assessmentId: v.assessmentId,
    adviceType: v.adviceType,
    organisationId: v.organisationId,
    organisationName: v.organisationName,
    status: v.status,
    requestedOn: v.requestedOn,
    dueOn: v.dueOn,
    receivedOn: v.receivedOn,
    cancelledOn: v.cancelledOn,
    deadlineStatus: v.deadlineStatus,
    daysOverdue: v.daysOverdue,
    pupilId: v.pupil.id,
    pupilUpn: v.pupil.upn,
    pupilFirstName: v.pupil.firstName,
    pupilLastName: v.pupil.lastName,
    pupilDateOfBirth: v.pupil.dateOfBirth,
    pupilYearGroup: v.pupil.yearGroup,
    pupilSchoolName: v.pupil.schoolName,
  };
}

function exceptionViewOf(e: EhcException): ExceptionView {
  return {
    id: e.id,
    assessmentId: e.assessmentId,
    reason: e.reason,
    fromOn: e.fromOn,
    toOn: e.toOn,
    note: e.note,
    recordedBy: e.recordedBy,
    createdAt: new Date(e.createdAt).toISOString(),
  };
}

function appealViewOf(e: EhcAppeal): AppealView {
  return {
    id: e.id,
    assessmentId: e.assessmentId,
    kind: e.kind,
    stage: e.stage,
    startedOn: e.startedOn,
    recordedBy: e.recordedBy,
    createdAt: new Date(e.createdAt).toISOString(),
  };
}
