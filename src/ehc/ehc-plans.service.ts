import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../access/caller';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { AccessLogWriter } from '../audit/access-log-writer';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { assertVersion } from '../common/concurrency/expected-version';
import { type CalendarDate, compareDates } from '../common/dates/calendar-date';
import { type Page, paginate } from '../common/pagination/paginate';
import type { FieldError } from '../common/problem/problem-type';
import { ProblemException } from '../common/problem/problem.exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Pupil } from '../pupils/pupil.entity';
import type { DeadlineKind, SubjectType } from '../timeliness/deadline-kind';
import { type DeadlineSubject, TimelinessService } from '../timeliness/timeliness.service';
import {
  AmendedPlanDto,
  AnnualReviewView,
  EhcPlanDetailView,
  EhcPlanQueryDto,
  EhcPlanView,
  HoldReviewDto,
  ReportSentDto,
  type ReviewDeadlineView,
  ReviewDecisionDto,
} from './dto/ehc-plan.dto';
import { AnnualReview, EhcPlan } from './ehc.entities';
import { nextReviewStage, previousReviewStep, type ReviewDecision, type ReviewStep, reviewStagesAllowing, stepDateProblem } from './ehc-rules';

export const PLAN_SCOPE_COLUMNS: ScopeColumns = { schoolId: 'pupil.school_id', localityId: 'school.locality_id', area: 'locality.area' };
const STATUS_SQL = (d: string) => `deadline_status(${d}.met_on, ${d}.cancelled_on, ${d}.due_on, :today::date, :dueSoon)`;
const planSubject = (id: string): DeadlineSubject => ({ subjectType: 'EHC_PLAN', subjectId: id });
const reviewSubject = (id: string): DeadlineSubject => ({ subjectType: 'ANNUAL_REVIEW', subjectId: id });

interface Place {
  pupilId: string;
  schoolId: string;
  localityId: string;
}

/**
 * EHC plans and their annual reviews. All deadlines through TimelinessService; statuses from
 * deadline_status() in SQL as of today.
 */
@Injectable()
export class EhcPlansService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly timeliness: TimelinessService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accessLog: AccessLogWriter,
  ) {}

  async list(scope: ScopeFilter, query: EhcPlanQueryDto): Promise<Page<EhcPlanView>> {
    const qb = this.planQuery(this.dataSource.manager);
    applyScope(qb, scope, PLAN_SCOPE_COLUMNS);
    if (query.pupilId) qb.andWhere('p.pupil_id = :pupilId', { pupilId: query.pupilId });
    if (query.schoolId) qb.andWhere('pupil.school_id = :schoolId', { schoolId: query.schoolId });
    if (query.localityId) qb.andWhere('school.locality_id = :localityId', { localityId: query.localityId });
    const page = await paginate<EhcPlanView>(qb, query, { sortable: { issuedOn: 'p.issued_on' }, defaultSort: '-issuedOn', idColumn: 'p.id', raw: true });
    return { data: page.data.map(planOf), nextCursor: page.nextCursor };
  }

  /**
   * One plan; reading it is reading the child's record, so it writes an access row ('ehc-plan.read'),
   * queued to the batched writer: a read is no write use case, so it needs no transaction of its own.
   */
  async get(caller: Caller, scope: ScopeFilter, id: string): Promise<EhcPlanDetailView> {
    const view = await this.detail(this.dataSource.manager, scope, id);
    this.accessLog.record(caller, {
      action: 'ehc-plan.read',
      entityType: 'ehc-plan',
      entityId: view.id,
      place: { schoolId: view.schoolId, pupilId: view.pupilId },
    });
    return view;
  }

  /** A review meeting held: meets ANNUAL_REVIEW_MEETING; opens ANNUAL_REVIEW_REPORT (+2w) and ANNUAL_REVIEW_DECISION (+4w). */
  async holdReview(caller: Caller, scope: ScopeFilter, planId: string, dto: HoldReviewDto): Promise<AnnualReviewView> {
    return this.dataSource.transaction(async (manager) => {
      const { plan, place } = await this.lockPlan(manager, scope, planId);
      if (plan.ceasedOn) {
        throw new ProblemException('invalid-transition', `the plan ceased on ${plan.ceasedOn}; it has no more reviews`, undefined, { currentStage: 'CEASED' });
      }
      const [open] = (await manager.query(`SELECT id FROM annual_review WHERE plan_id = $1 AND decision IS NULL`, [plan.id])) as { id: string }[];
      if (open) {
        throw new ProblemException('invalid-transition', `a review of this plan awaits its decision (${open.id})`, undefined, { currentStage: 'REVIEW_IN_PROGRESS', reviewId: open.id });
      }
      const [{ last }] = (await manager.query(`SELECT max(meeting_on) AS last FROM annual_review WHERE plan_id = $1`, [plan.id])) as { last: string | null }[];
      const previous = last ? { field: 'the last review meeting', date: last } : { field: 'issuedOn', date: plan.issuedOn };
      const problem = stepDateProblem(dto.meetingOn, previous, this.clock.today());
      if (problem) throw ProblemException.invalidField('meetingOn', problem);
      const review = await manager.save(
        manager.create(AnnualReview, {
          planId: plan.id,
          pupilId: plan.pupilId,
          stage: 'MEETING_HELD',
          meetingOn: dto.meetingOn,
          reportSentOn: null,
          decision: null,
          decidedOn: null,
          ceaseReason: null,
          amendmentsSentOn: null,
          amendedPlanIssuedOn: null,
          namedSettingSchoolId: null,
          replacedSettingSchoolId: null,
          recordedBy: caller.userId,
        }),
      );
      await this.timeliness.meet(manager, planSubject(plan.id), 'ANNUAL_REVIEW_MEETING', dto.meetingOn);
      for (const kind of ['ANNUAL_REVIEW_REPORT', 'ANNUAL_REVIEW_DECISION'] as const) {
        await this.timeliness.open(manager, { kind, ...reviewSubject(review.id), startsOn: dto.meetingOn, ...place });
      }
      await this.audit.record(manager, caller, {
        action: 'annual-review.create',
        entityType: 'annual-review',
        entityId: review.id,
        changedFields: ['meetingOn'],
        place,
      });
      return this.reviewView(manager, review.id);
    });
  }

  reportSent(caller: Caller, scope: ScopeFilter, id: string, dto: ReportSentDto): Promise<AnnualReviewView> {
    return this.step(caller, scope, id, 'report-sent', dto.version, undefined, async (manager, r) => {
      this.assertDate(r, 'report-sent', 'sentOn', dto.sentOn);
      r.reportSentOn = dto.sentOn;
      await manager.save(r);
      await this.timeliness.meet(manager, reviewSubject(r.id), 'ANNUAL_REVIEW_REPORT', dto.sentOn);
      return ['reportSentOn', 'stage'];
    });
  }

  /**
   * Maintain / amend / cease, notified: meets ANNUAL_REVIEW_DECISION. Maintain and amend open the
   * next ANNUAL_REVIEW_MEETING 12 months after this meeting; cease needs the SEN2 reason (1-9)
   * and closes the plan.
   */
  decide(caller: Caller, scope: ScopeFilter, id: string, dto: ReviewDecisionDto): Promise<AnnualReviewView> {
    if (dto.decision === 'CEASE' && dto.ceaseReason === undefined) throw ProblemException.invalidField('ceaseReason', 'is required when the decision is CEASE (SEN2 reason 1-9)');
    if (dto.decision !== 'CEASE' && dto.ceaseReason !== undefined) throw ProblemException.invalidField('ceaseReason', 'is only given when the decision is CEASE');
    return this.step(caller, scope, id, 'decision', dto.version, dto.decision, async (manager, r, place) => {
      this.assertDate(r, 'decision', 'decidedOn', dto.decidedOn);
      r.decision = dto.decision;
      r.decidedOn = dto.decidedOn;
      r.ceaseReason = dto.ceaseReason ?? null;
      await manager.save(r);
      await this.timeliness.meet(manager, reviewSubject(r.id), 'ANNUAL_REVIEW_DECISION', dto.decidedOn);
      if (dto.decision === 'CEASE') {
        await manager.update(EhcPlan, { id: r.planId }, { ceasedOn: dto.decidedOn, ceaseReason: dto.ceaseReason });
        await this.timeliness.cancel(manager, planSubject(r.planId), dto.decidedOn);
      } else {
        await this.timeliness.open(manager, { kind: 'ANNUAL_REVIEW_MEETING', ...planSubject(r.planId), startsOn: r.meetingOn, ...place });
      }
      return dto.decision === 'CEASE' ? ['ceaseReason', 'decidedOn', 'decision', 'stage'] : ['decidedOn', 'decision', 'stage'];
    });
  }

  /** Proposed amendments sent: opens AMENDED_PLAN (+8 weeks). */
  amendmentsSent(caller: Caller, scope: ScopeFilter, id: string, dto: ReportSentDto): Promise<AnnualReviewView> {
    return this.step(caller, scope, id, 'amendments-sent', dto.version, undefined, async (manager, r, place) => {
      this.assertDate(r, 'amendments-sent', 'sentOn', dto.sentOn);
      r.amendmentsSentOn = dto.sentOn;
      await manager.save(r);
      await this.timeliness.open(manager, { kind: 'AMENDED_PLAN', ...reviewSubject(r.id), startsOn: dto.sentOn, ...place });
      return ['amendmentsSentOn', 'stage'];
    });
  }

  /**
   * The final amended plan issued: meets AMENDED_PLAN. When it names a setting other than the
   * plan's (namedSettingUrn), that becomes the plan's named setting, the review keeps the new and
   * the replaced one (dated by issuedOn), and the plan's open PHASE_TRANSFER is met on issuedOn
   * (DOMAIN.md: "amended plan naming the new setting"). Naming the same setting changes nothing.
   */
  amendedPlan(caller: Caller, scope: ScopeFilter, id: string, dto: AmendedPlanDto): Promise<AnnualReviewView> {
    return this.step(caller, scope, id, 'amended-plan', dto.version, undefined, async (manager, r, place) => {
      const errors: FieldError[] = [];
      const dateProblem = stepDateProblem(dto.issuedOn, previousReviewStep('amended-plan', r), this.clock.today());
      if (dateProblem) errors.push({ field: 'issuedOn', message: dateProblem });
      let setting: { id: string } | undefined;
      if (dto.namedSettingUrn !== undefined) {
        [setting] = (await manager.query(`SELECT id FROM school WHERE urn = $1`, [dto.namedSettingUrn])) as { id: string }[];
        if (!setting) errors.push({ field: 'namedSettingUrn', message: 'unknown school: no school has this URN' });
      }
      if (errors.length) throw ProblemException.validation(errors);
      r.amendedPlanIssuedOn = dto.issuedOn;
      const plan = await manager.findOneOrFail(EhcPlan, { where: { id: r.planId }, lock: { mode: 'pessimistic_write' } });
      const newSetting = setting && setting.id !== plan.settingSchoolId;
      if (newSetting) {
        r.namedSettingSchoolId = setting!.id;
        r.replacedSettingSchoolId = plan.settingSchoolId;
        plan.settingSchoolId = setting!.id;
        await manager.save(plan);
        await this.audit.record(manager, caller, { action: 'ehc-plan.named-setting', entityType: 'ehc-plan', entityId: plan.id, changedFields: ['settingSchoolId'], place });
        await this.meetPhaseTransfer(manager, plan.id, dto.issuedOn);
      }
      await manager.save(r);
      await this.timeliness.meet(manager, reviewSubject(r.id), 'AMENDED_PLAN', dto.issuedOn);
      return newSetting ? ['amendedPlanIssuedOn', 'namedSettingSchoolId', 'replacedSettingSchoolId', 'stage'] : ['amendedPlanIssuedOn', 'stage'];
    });
  }

  /** The plan's open PHASE_TRANSFER is met, unless the plan was amended before its transfer year began. */
  private async meetPhaseTransfer(manager: EntityManager, planId: string, issuedOn: CalendarDate): Promise<void> {
    const open = await this.timeliness.findOpen(manager, planSubject(planId), 'PHASE_TRANSFER');
    if (open && compareDates(issuedOn, open.startsOn) >= 0) await this.timeliness.meet(manager, planSubject(planId), 'PHASE_TRANSFER', issuedOn);
  }

  // --- helpers -------------------------------------------------------------------------------

  private step(
    caller: Caller,
    scope: ScopeFilter,
    id: string,
    step: ReviewStep,
    version: number | undefined,
    decision: ReviewDecision | undefined,
    apply: (manager: EntityManager, r: AnnualReview, place: Place) => Promise<string[]>,
  ): Promise<AnnualReviewView> {
    return this.dataSource.transaction(async (manager) => {
      const qb = manager
        .createQueryBuilder(AnnualReview, 'r')
        .innerJoin(Pupil, 'pupil', 'pupil.id = r.pupil_id')
        .innerJoin('school', 'school', 'school.id = pupil.school_id')
        .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
        .where('r.id = :id', { id })
        .setLock('pessimistic_write', undefined, ['r']);
      applyScope(qb, scope, PLAN_SCOPE_COLUMNS);
      const r = await qb.getOne();
      if (!r) throw ProblemException.notFound('annual review');
      if (version !== undefined) assertVersion('the annual review', r.version, version);
      const next = nextReviewStage(r.stage, step, decision);
      if (!next) {
        throw new ProblemException(
          'invalid-transition',
          `the annual review is ${r.stage}; ${step} is only possible when it is ${reviewStagesAllowing(step).join(' or ')}`,
          undefined,
          { currentStage: r.stage },
        );
      }
      r.stage = next;
      const place = await this.placeOf(manager, r.pupilId);
      const fields = await apply(manager, r, place);
      await this.audit.record(manager, caller, { action: `annual-review.${step}`, entityType: 'annual-review', entityId: r.id, changedFields: fields, place });
      return this.reviewView(manager, r.id);
    });
  }

  private assertDate(r: AnnualReview, step: ReviewStep, field: string, date: CalendarDate): void {
    const problem = stepDateProblem(date, previousReviewStep(step, r), this.clock.today());
    if (problem) throw ProblemException.invalidField(field, problem);
  }

  private async placeOf(manager: EntityManager, pupilId: string): Promise<Place> {
    const [place] = (await manager.query(
      `SELECT p.id AS "pupilId", p.school_id AS "schoolId", s.locality_id AS "localityId" FROM pupil p JOIN school s ON s.id = p.school_id WHERE p.id = $1`,
      [pupilId],
    )) as Place[];
    return place;
  }

  private async lockPlan(manager: EntityManager, scope: ScopeFilter, id: string): Promise<{ plan: EhcPlan; place: Place }> {
    const qb = manager
      .createQueryBuilder(EhcPlan, 'p')
      .innerJoin(Pupil, 'pupil', 'pupil.id = p.pupil_id')
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      .where('p.id = :id', { id })
      .setLock('pessimistic_write', undefined, ['p']);
    applyScope(qb, scope, PLAN_SCOPE_COLUMNS);
    const plan = await qb.getOne();
    if (!plan) throw ProblemException.notFound('EHC plan');
    return { plan, place: await this.placeOf(manager, plan.pupilId) };
  }

  private planQuery(manager: EntityManager): SelectQueryBuilder<ObjectLiteral> {
    return manager
      .createQueryBuilder()
      .select([
        'p.id AS id',
        'p.pupil_id AS "pupilId"',
        'pupil.upn AS "pupilUpn"',
        `pupil.first_name || ' ' || pupil.last_name AS "pupilName"`,
        'pupil.school_id AS "schoolId"',
        'p.assessment_id AS "assessmentId"',
        'p.issued_on AS "issuedOn"',
        'p.setting_school_id AS "settingSchoolId"',
        'setting.urn AS "settingUrn"',
        'setting.name AS "settingName"',
        'p.primary_need AS "primaryNeed"',
        'p.secondary_need AS "secondaryNeed"',
        'p.ceased_on AS "ceasedOn"',
        'p.cease_reason AS "ceaseReason"',
        'nm.due_on AS "nextReviewDueOn"',
        `CASE WHEN nm.id IS NOT NULL THEN ${STATUS_SQL('nm')} END AS "nextReviewStatus"`,
        'p.version AS version',
      ])
      .from('ehc_plan', 'p')
      .innerJoin('pupil', 'pupil', 'pupil.id = p.pupil_id')
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      .leftJoin('school', 'setting', 'setting.id = p.setting_school_id')
      .leftJoin(
        'deadline',
        'nm',
        `nm.subject_type = 'EHC_PLAN' AND nm.subject_id = p.id AND nm.kind = 'ANNUAL_REVIEW_MEETING' AND nm.met_on IS NULL AND nm.cancelled_on IS NULL`,
      )
      .setParameters({ today: this.clock.today(), dueSoon: this.config.dueSoonDays });
  }

  private async detail(manager: EntityManager, scope: ScopeFilter, id: string): Promise<EhcPlanDetailView> {
    const qb = this.planQuery(manager).where('p.id = :id', { id });
    applyScope(qb, scope, PLAN_SCOPE_COLUMNS);
    const row = await qb.getRawOne<EhcPlanView>();
    if (!row) throw ProblemException.notFound('EHC plan');
    const reviews = await manager.find(AnnualReview, { where: { planId: id }, order: { meetingOn: 'ASC' } });
    const deadlines = await this.deadlinesOf(manager, 'ANNUAL_REVIEW', reviews.map((r) => r.id));
    const phaseTransfers = (await this.deadlinesOf(manager, 'EHC_PLAN', [id], ['PHASE_TRANSFER'])).get(id) ?? [];
    return { ...planOf(row), annualReviews: reviews.map((r) => reviewViewOf(r, deadlines.get(r.id) ?? [])), phaseTransfers };
  }

  private async reviewView(manager: EntityManager, id: string, loaded?: AnnualReview): Promise<AnnualReviewView> {
    const r = loaded ?? (await manager.findOneByOrFail(AnnualReview, { id }));
    const deadlines = await this.deadlinesOf(manager, 'ANNUAL_REVIEW', [r.id]);
    return reviewViewOf(r, deadlines.get(r.id) ?? []);
  }

  /** The deadlines (of these kinds, or all) of these subjects, in one query, by subject id (status as of today). */
  private async deadlinesOf(manager: EntityManager, subjectType: SubjectType, ids: string[], kinds?: DeadlineKind[]): Promise<Map<string, ReviewDeadlineView[]>> {
    const bySubject = new Map<string, ReviewDeadlineView[]>();
    if (ids.length === 0) return bySubject;
    const qb = manager
      .createQueryBuilder()
      .select([
        'd.subject_id AS "subjectId"',
        'd.id AS id',
        'd.kind AS kind',
        'd.starts_on AS "startsOn"',
        'd.due_on AS "dueOn"',
        'd.met_on AS "metOn"',
        'd.cancelled_on AS "cancelledOn"',
        `${STATUS_SQL('d')} AS status`,
      ])
      .from('deadline', 'd')
      .where(`d.subject_type = :subjectType AND d.subject_id IN (:...ids)`, { subjectType, ids })
      .orderBy('d.due_on')
      .addOrderBy('d.kind')
      .setParameters({ today: this.clock.today(), dueSoon: this.config.dueSoonDays });
    if (kinds) qb.andWhere('d.kind IN (:...kinds)', { kinds });
    const rows = (await qb.getRawMany()) as (ReviewDeadlineView & { subjectId: string })[];
    for (const { subjectId, ...deadline } of rows) bySubject.set(subjectId, [...(bySubject.get(subjectId) ?? []), deadline]);
    return bySubject;
  }
}

function reviewViewOf(r: AnnualReview, deadlines: ReviewDeadlineView[]): AnnualReviewView {
  return {
    id: r.id,
    planId: r.planId,
    pupilId: r.pupilId,
    stage: r.stage,
    meetingOn: r.meetingOn,
    reportSentOn: r.reportSentOn,
    decision: r.decision,
    decidedOn: r.decidedOn,
    ceaseReason: r.ceaseReason,
    amendmentsSentOn: r.amendmentsSentOn,
    amendedPlanIssuedOn: r.amendedPlanIssuedOn,
    namedSettingSchoolId: r.namedSettingSchoolId,
    replacedSettingSchoolId: r.replacedSettingSchoolId,
    deadlines,
    version: r.version,
  };
}

function planOf(row: EhcPlanView): EhcPlanView {
  return {
    id: row.id,
    pupilId: row.pupilId,
    pupilUpn: row.pupilUpn,
    pupilName: row.pupilName,
    schoolId: row.schoolId,
    assessmentId: row.assessmentId,
    issuedOn: row.issuedOn,
    settingSchoolId: row.settingSchoolId,
    settingUrn: row.settingUrn,
    settingName: row.settingName,
    primaryNeed: row.primaryNeed,
    secondaryNeed: row.secondaryNeed,
    ceasedOn: row.ceasedOn,
    ceaseReason: row.ceaseReason === null ? null : Number(row.ceaseReason),
    nextReviewDueOn: row.nextReviewDueOn,
    nextReviewStatus: row.nextReviewStatus,
    version: Number(row.version),
  };
}

