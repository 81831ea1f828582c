import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { Caller } from '../access/caller';
import { scopeFor } from '../access/policy';
import { applyScope, type ScopeFilter } from '../access/scope-filter';
import { AccessLogWriter } from '../audit/access-log-writer';
import { AuditService, changedFields } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import type { CalendarDate } from '../common/dates/calendar-date';
import { type Page, paginate } from '../common/pagination/paginate';
import { ProblemException } from '../common/problem/problem.exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Locality } from '../localities/locality.entity';
import { School } from '../localities/school.entity';
import { Pupil } from '../pupils/pupil.entity';
import { pupilScopeColumns } from '../pupils/pupils.service';
import { Deadline } from '../timeliness/deadline.entity';
import { type DeadlineSubject, TimelinessService } from '../timeliness/timeliness.service';
import { CreateSupportPlanDto, type CycleSupportView, ReviewDto, SupportPlanQueryDto, SupportPlanView, type SupportPlanViewOptions } from './dto/support-plan.dto';
import { planDateErrors, reviewErrors } from './support-plan-rules';
import { SupportPlanReview } from './support-plan-review.entity';
import { SupportPlan } from './support-plan.entity';

/** The partial unique index behind "one open cycle per pupil" (migration SupportPlans1764340000000). */
const ONE_OPEN_PER_PUPIL = 'support_plan_one_open_per_pupil';
const REVIEW_KIND = 'SUPPORT_PLAN_REVIEW';

/** Where a pupil sits now: what the scope, the plan and its deadline need. */
interface PupilPlace {
  id: string;
  schoolId: string;
  localityId: string;
  leftOn: CalendarDate | null;
}

const subjectOf = (planId: string): DeadlineSubject => ({ subjectType: 'SUPPORT_PLAN', subjectId: planId });

/**
 * SEN support cycles (assess, plan, do, review). Who may read or write a pupil's cycles follows
 * the pupil's CURRENT school (a SENCO inherits the history of a child who joins their school);
 * `schoolId` on the plan keeps the school the cycle opened in. Each cycle's review date is a
 * SUPPORT_PLAN_REVIEW deadline opened and met through TimelinessService in the same transaction.
 */
@Injectable()
export class SupportPlansService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly timeliness: TimelinessService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accessLog: AccessLogWriter,
  ) {}

  /** The pupil's cycles, newest first; the pupil must be in the caller's scope (else 404). */
  async list(caller: Caller, scope: ScopeFilter, pupilId: string, query: SupportPlanQueryDto): Promise<Page<SupportPlanView>> {
    const manager = this.dataSource.manager;
    await this.pupilInScope(manager, pupilId, scope, 'pupil');
    const qb = manager.getRepository(SupportPlan).createQueryBuilder('plan').where('plan.pupilId = :pupilId', { pupilId });
    const page = await paginate(qb, query, {
      sortable: { startOn: 'plan.startOn', reviewOn: 'plan.reviewOn' },
      defaultSort: '-startOn',
      idColumn: 'plan.id',
    });
    return { data: await this.views(manager, caller, page.data), nextCursor: page.nextCursor };
  }

  /**
   * One cycle; reading it is reading the child's record, so it writes an access row ('support-plan.read'),
   * queued to the batched writer: a read is no write use case, so it needs no transaction of its own.
   */
  async get(caller: Caller, scope: ScopeFilter, id: string): Promise<SupportPlanView> {
    const manager = this.dataSource.manager;
    const plan = await manager.findOneBy(SupportPlan, { id });
    if (!plan) throw ProblemException.notFound('support plan');
    const pupil = await this.pupilInScope(manager, plan.pupilId, scope, 'support plan');
    this.accessLog.record(caller, {
      action: 'support-plan.read',
      entityType: 'support-plan',
      entityId: plan.id,
      place: { schoolId: pupil.schoolId, localityId: pupil.localityId, pupilId: pupil.id },
    });
    const [view] = await this.views(manager, caller, [plan]);
    return view;
  }

  /** Opens a cycle for a pupil of the caller's school who has not left and has no open cycle. */
  async create(caller: Caller, scope: ScopeFilter, pupilId: string, dto: CreateSupportPlanDto): Promise<SupportPlanView> {
    const errors = planDateErrors(dto, this.clock.today());
    if (errors.length > 0) throw ProblemException.validation(errors);
    try {
      return await this.dataSource.transaction(async (manager) => {
        // Locked: two cycles opened at once for one pupil queue here, and the second gets the 409 below.
        const pupil = await this.pupilInScope(manager, pupilId, scope, 'pupil', true);
        if (pupil.leftOn) {
          throw new ProblemException('invalid-transition', `the pupil left on ${pupil.leftOn}; a support cycle can only be opened for a pupil on roll`);
        }
        const open = await this.openCycleOf(manager, pupilId);
        if (open) throw openCycleProblem(open);
        const plan = await manager.save(
          manager.create(SupportPlan, {
            pupilId,
            schoolId: pupil.schoolId,
            outcomes: dto.outcomes.map(({ description }) => ({ description })),
            provision: dto.provision.map(({ description, frequency, by }) => ({ description, frequency, by })),
            startOn: dto.startOn,
            reviewOn: dto.reviewOn,
            status: 'OPEN',
            reviewedOn: null,
            createdBy: caller.userId,
          }),
        );
        const deadline = await this.timeliness.open(manager, {
          kind: REVIEW_KIND,
          ...subjectOf(plan.id),
          startsOn: plan.startOn,
          dueOn: plan.reviewOn,
          pupilId,
          schoolId: pupil.schoolId,
          localityId: pupil.localityId,
        });
        await this.audit.record(manager, caller, {
          action: 'support-plan.create',
          entityType: 'support-plan',
          entityId: plan.id,
          changedFields: changedFields({}, dto),
          place: { schoolId: pupil.schoolId, localityId: pupil.localityId, pupilId: pupil.id },
        });
        return SupportPlanView.of(plan, null, deadline, this.viewOptions(caller));
      });
    } catch (error) {
      // The index is the backstop for a race the lock above should already have queued.
      if (constraintOf(error) === ONE_OPEN_PER_PUPIL) {
        const open = await this.openCycleOf(this.dataSource.manager, pupilId);
        if (open) throw openCycleProblem(open);
      }
      throw error;
    }
  }

  /** Records the one review that closes an open cycle, and meets its review deadline. */
  async review(caller: Caller, scope: ScopeFilter, id: string, dto: ReviewDto): Promise<SupportPlanView> {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      const plan = await manager.findOne(SupportPlan, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!plan) throw ProblemException.notFound('support plan');
      const pupil = await this.pupilInScope(manager, plan.pupilId, scope, 'support plan');
      if (plan.status !== 'OPEN') {
        throw new ProblemException(
          'invalid-transition',
          `this support cycle was already reviewed on ${plan.reviewedOn}; open a new cycle for the pupil instead`,
          undefined,
          { currentStatus: plan.status },
        );
      }
      const errors = reviewErrors({ startOn: plan.startOn, outcomeCount: plan.outcomes.length }, dto, today);
      if (errors.length > 0) throw ProblemException.validation(errors);

      const review = await manager.save(
        manager.create(SupportPlanReview, {
          supportPlanId: plan.id,
          reviewedOn: dto.reviewedOn,
          outcomes: dto.outcomes
            .map(({ outcomeIndex, progress }) => ({ outcomeIndex, progress }))
            .sort((a, b) => a.outcomeIndex - b.outcomeIndex),
          nextStep: dto.nextStep,
          note: dto.note ?? null,
          recordedBy: caller.userId,
        }),
      );
      plan.status = 'REVIEWED';
      plan.reviewedOn = dto.reviewedOn;
      const saved = await manager.save(plan);
      const met = await this.timeliness.meet(manager, subjectOf(plan.id), REVIEW_KIND, dto.reviewedOn);
      await this.audit.record(manager, caller, {
        action: 'support-plan.review',
        entityType: 'support-plan',
        entityId: plan.id,
        // Names only: whether a note was written, never what it says.
        changedFields: ['nextStep', 'outcomes', 'reviewedOn', 'status', ...(dto.note ? ['note'] : [])].sort(),
        place: { schoolId: pupil.schoolId, localityId: pupil.localityId, pupilId: pupil.id },
      });
      const deadline = met ?? (await this.reviewDeadlines(manager, [plan.id])).get(plan.id) ?? null;
      return SupportPlanView.of(saved, review, deadline, this.viewOptions(caller));
    });
  }

  /**
   * The pupil, if the caller's scope reaches them; otherwise 404 naming `what` the caller asked
   * for (never saying that the pupil exists). Scope is the pupil's current school, its locality
   * and area. A PANEL member reaches the pupils of their caseload (a support request heard in
   * their locality: PANEL_CASELOAD_SQL).
   */
  private async pupilInScope(manager: EntityManager, pupilId: string, scope: ScopeFilter, what: string, lock = false): Promise<PupilPlace> {
    const qb = manager
      .createQueryBuilder(Pupil, 'pupil')
      .innerJoin(School, 'school', 'school.id = pupil.school_id')
      .innerJoin(Locality, 'locality', 'locality.id = school.locality_id')
      .select('pupil.id', 'id')
      .addSelect('pupil.school_id', 'schoolId')
      .addSelect('school.locality_id', 'localityId')
      .addSelect('pupil.left_on', 'leftOn')
      .where('pupil.id = :pupilId', { pupilId });
    applyScope(qb, scope, pupilScopeColumns(scope, { schoolId: 'pupil.school_id', localityId: 'school.locality_id', area: 'locality.area' }));
    if (lock) qb.setLock('pessimistic_write', undefined, ['pupil']);
    const row = await qb.getRawOne<PupilPlace>();
    if (!row) throw ProblemException.notFound(what);
    return row;
  }

  private async openCycleOf(manager: EntityManager, pupilId: string): Promise<SupportPlan | null> {
    return manager.findOneBy(SupportPlan, { pupilId, status: 'OPEN' });
  }

  /** Views of plans with their reviews and review deadlines, in three queries whatever the count. */
  private async views(manager: EntityManager, caller: Caller, plans: SupportPlan[]): Promise<SupportPlanView[]> {
    if (plans.length === 0) return [];
    const ids = plans.map((plan) => plan.id);
    const reviews = new Map(
      (await manager.find(SupportPlanReview, { where: { supportPlanId: In(ids) } })).map((review) => [review.supportPlanId, review]),
    );
    const deadlines = await this.reviewDeadlines(manager, ids);
    const options = this.viewOptions(caller);
    const support = await this.localitySupport(manager, ids, options.showNote);
    return plans.map((plan) =>
      SupportPlanView.of(plan, reviews.get(plan.id) ?? null, deadlines.get(plan.id) ?? null, options, support.get(plan.id) ?? []),
    );
  }

  /** The requests made from each cycle with their allocations and outcomes, in one query; drafts only for the school's SENCO. */
  private async localitySupport(manager: EntityManager, planIds: string[], withDrafts: boolean): Promise<Map<string, CycleSupportView[]>> {
    const rows: (CycleSupportView & { supportPlanId: string })[] = await manager.query(
      `SELECT r.support_plan_id AS "supportPlanId", r.id AS "requestId", r.service_code AS "serviceCode", r.status AS "requestStatus",
              a.id AS "allocationId", a.status AS "allocationStatus", a.units::float8 AS units, a.units_used::float8 AS "unitsUsed",
              a.outcome, a.completed_on AS "completedOn"
       FROM support_request r LEFT JOIN allocation a ON a.request_id = r.id
       WHERE r.support_plan_id = ANY($1::uuid[]) AND ($2 OR r.status <> 'DRAFT')
       ORDER BY r.created_at, r.id, a.created_at, a.id`,
      [planIds, withDrafts],
    );
    const byPlan = new Map<string, CycleSupportView[]>();
    for (const { supportPlanId, ...view } of rows) byPlan.set(supportPlanId, [...(byPlan.get(supportPlanId) ?? []), view]);
    return byPlan;
  }

  /** Each plan's SUPPORT_PLAN_REVIEW deadline (the latest, should there ever be more than one). */
  private async reviewDeadlines(manager: EntityManager, planIds: string[]): Promise<Map<string, Deadline>> {
    const rows = await manager.find(Deadline, {
      where: { subjectType: 'SUPPORT_PLAN', subjectId: In(planIds), kind: REVIEW_KIND },
      order: { createdAt: 'ASC' },
    });
    return new Map(rows.map((deadline) => [deadline.subjectId, deadline]));
  }

  /** The review note is for those who may write support plans (API: the pupil's SENCO). */
  private viewOptions(caller: Caller): SupportPlanViewOptions {
    return {
      showNote: scopeFor(caller.role, 'support-plans.write') !== undefined,
      asOf: this.clock.today(),
      dueSoonDays: this.config.dueSoonDays,
    };
  }
}

function openCycleProblem(open: SupportPlan): ProblemException {
  return new ProblemException(
    'invalid-transition',
    `the pupil already has an open support cycle (${open.id}, review due ${open.reviewOn}); record its review before opening another`,
    undefined,
    { openSupportPlanId: open.id },
  );
}

function constraintOf(error: unknown): string | undefined {
  const pg = ((error as { driverError?: { constraint?: string } })?.driverError ?? error) as { constraint?: string } | undefined;
  return pg?.constraint;
}
