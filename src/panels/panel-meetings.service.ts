import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../access/caller';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { type Page, paginate } from '../common/pagination/paginate';
import type { FieldError } from '../common/problem/problem-type';
import { ProblemException } from '../common/problem/problem.exception';
import { Locality } from '../localities/locality.entity';
import { ResourcePoolView } from '../pools/dto/resource-pool.dto';
import type { ResourcePool } from '../pools/resource-pool.entity';
import type { ServiceUnit } from '../providers/service.entity';
import { yearGroupFromBirth } from '../pupils/year-group';
import { SupportRequestView } from '../support-requests/dto/support-request.dto';
import { SupportRequest } from '../support-requests/support-request.entity';
import { latestDecisions } from '../support-requests/support-requests.service';
import { AgendaItemView, AgendaView, PreviousRequestView, SupportCycleView } from './dto/agenda.dto';
import { CreatePanelMeetingDto, DeclaredInterestView, PanelMeetingQueryDto, PanelMeetingView } from './dto/panel-meeting.dto';
import { PanelMeeting, PanelMeetingInterest } from './panel-meeting.entity';

/** A meeting's scope: its locality, and that locality's area. */
const MEETING_SCOPE: ScopeColumns = { localityId: 'm.locality_id', area: 'locality.area' };

/** Requests the panel still has to decide: new ones and deferred ones heard again. */
const AWAITING_DECISION = ['SUBMITTED', 'DEFERRED'];

/**
 * Locality panel meetings: who chaired and attended, the interests members declared (the
 * conflict-of-interest check of decisions reads them), and the agenda: the locality's requests
 * awaiting a decision with what the panel needs to hear each one.
 */
@Injectable()
export class PanelMeetingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(scope: ScopeFilter, query: PanelMeetingQueryDto): Promise<Page<PanelMeetingView>> {
    const qb = this.scoped(this.dataSource.manager, scope);
    if (query.localityId) qb.andWhere('m.locality_id = :localityId', { localityId: query.localityId });
    if (query.from) qb.andWhere('m.meeting_on >= :from', { from: query.from });
    if (query.to) qb.andWhere('m.meeting_on <= :to', { to: query.to });
    const page = await paginate(qb, query, { sortable: { meetingOn: 'm.meeting_on' }, defaultSort: '-meetingOn', idColumn: 'm.id' });
    return { data: await this.views(this.dataSource.manager, page.data), nextCursor: page.nextCursor };
  }

  async get(scope: ScopeFilter, id: string): Promise<PanelMeetingView> {
    const meeting = await this.findInScope(this.dataSource.manager, scope, id);
    const [view] = await this.views(this.dataSource.manager, [meeting]);
    return view;
  }

  /**
   * A meeting of the caller's locality. Each declared interest must name a PANEL member of that
   * locality and a school of that locality: an unknown one is a 400 on that entry's field.
   */
  async create(caller: Caller, scope: ScopeFilter, dto: CreatePanelMeetingDto): Promise<PanelMeetingView> {
    return this.dataSource.transaction(async (manager) => {
      const localityQuery = manager.getRepository(Locality).createQueryBuilder('locality').where('locality.id = :id', { id: dto.localityId });
      applyScope(localityQuery, scope, { localityId: 'locality.id', area: 'locality.area' });
      const locality = await localityQuery.getOne();
      if (!locality) throw ProblemException.invalidField('localityId', 'unknown locality');

      const errors: FieldError[] = [];
      const userIds = [...new Set(dto.declaredInterests.map((i) => i.userId))];
      const schoolIds = [...new Set(dto.declaredInterests.map((i) => i.schoolId))];
      const members = new Set<string>(
        userIds.length === 0
          ? []
          : (
              await manager.query(`SELECT id FROM app_user WHERE id = ANY($1::uuid[]) AND role = 'PANEL' AND locality_id = $2`, [
                userIds,
                locality.id,
              ])
            ).map((r: { id: string }) => r.id),
      );
      const schools = new Set<string>(
        schoolIds.length === 0
          ? []
          : (await manager.query(`SELECT id FROM school WHERE id = ANY($1::uuid[]) AND locality_id = $2`, [schoolIds, locality.id])).map(
              (r: { id: string }) => r.id,
            ),
      );
      const seen = new Set<string>();
      dto.declaredInterests.forEach((interest, i) => {
        if (!members.has(interest.userId)) errors.push({ field: `declaredInterests.${i}.userId`, message: 'unknown PANEL member of this locality' });
        if (!schools.has(interest.schoolId)) errors.push({ field: `declaredInterests.${i}.schoolId`, message: 'unknown school of this locality' });
        const key = `${interest.userId}/${interest.schoolId}`;
        if (seen.has(key)) errors.push({ field: `declaredInterests.${i}`, message: 'declared twice' });
        seen.add(key);
      });
      if (errors.length > 0) throw ProblemException.validation(errors);

      const meeting = await manager.save(
        manager.create(PanelMeeting, {
          localityId: locality.id,
          meetingOn: dto.meetingOn,
          chair: dto.chair,
          attendees: dto.attendees,
          createdBy: caller.userId,
        }),
      );
      if (dto.declaredInterests.length > 0) {
        await manager.insert(
          PanelMeetingInterest,
          dto.declaredInterests.map((i) => ({ meetingId: meeting.id, userId: i.userId, schoolId: i.schoolId })),
        );
      }
      await this.audit.record(manager, caller, {
        action: 'panel-meeting.create',
        entityType: 'panel-meeting',
        entityId: meeting.id,
        changedFields: ['attendees', 'chair', 'declaredInterests', 'localityId', 'meetingOn'],
        place: { localityId: meeting.localityId },
      });
      const [view] = await this.views(manager, [meeting]);
      return view;
    });
  }

  /**
   * The meeting's agenda: the locality's requests awaiting a decision, oldest submission first,
   * each with the pupil's summary, their other requests and their support cycles; and the pools
   * whose period contains the meeting date. Five queries whatever the number of requests (the
   * pupils' details are fetched in batches by pupil id). A list: no access rows are written.
   */
  async agenda(caller: Caller, scope: ScopeFilter, id: string): Promise<AgendaView> {
    const manager = this.dataSource.manager;
    const meeting = await this.findInScope(manager, scope, id);
    const [meetingView] = await this.views(manager, [meeting]);
    const today = this.clock.today();

    const requests = await manager
      .getRepository(SupportRequest)
      .createQueryBuilder('r')
      .where('r.locality_id = :localityId', { localityId: meeting.localityId })
      .andWhere('r.status IN (:...statuses)', { statuses: AWAITING_DECISION })
      .orderBy('r.submitted_on', 'ASC')
      .addOrderBy('r.created_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .getMany();
    const pupilIds = [...new Set(requests.map((r) => r.pupilId))];
    const requestIds = requests.map((r) => r.id);

    const pupils: PupilRow[] = pupilIds.length
      ? await manager.query(
          `SELECT p.id, p.first_name, p.last_name, p.date_of_birth, p.year_offset, p.school_id, s.name AS school_name,
                  p.sen_status, p.primary_need, p.secondary_need
           FROM pupil p JOIN school s ON s.id = p.school_id WHERE p.id = ANY($1::uuid[])`,
          [pupilIds],
        )
      : [];
    const previous: PreviousRow[] = pupilIds.length
      ? await manager.query(
          `SELECT r.id, r.pupil_id, r.service_code, r.status, r.submitted_on, r.units_requested,
                  d.outcome, d.decided_on, d.units_approved
           FROM support_request r
           LEFT JOIN LATERAL (
             SELECT outcome, decided_on, units_approved FROM support_request_decision
             WHERE request_id = r.id ORDER BY created_at DESC, id DESC LIMIT 1
           ) d ON true
           WHERE r.pupil_id = ANY($1::uuid[]) AND r.status <> 'DRAFT' AND NOT (r.id = ANY($2::uuid[]))
           ORDER BY r.created_at DESC, r.id DESC`,
          [pupilIds, requestIds],
        )
      : [];
    const cycles: CycleRow[] = pupilIds.length
      ? await manager.query(
          `SELECT sp.id, sp.pupil_id, sp.start_on, sp.review_on, sp.status, sp.reviewed_on, sp.outcomes,
                  rv.next_step, rv.outcomes AS review_outcomes
           FROM support_plan sp
           LEFT JOIN LATERAL (
             SELECT next_step, outcomes FROM support_plan_review WHERE support_plan_id = sp.id ORDER BY reviewed_on DESC, created_at DESC LIMIT 1
           ) rv ON true
           WHERE sp.pupil_id = ANY($1::uuid[])
           ORDER BY sp.start_on DESC, sp.id DESC`,
          [pupilIds],
        )
      : [];
    const interests = new Set(
      meetingView.declaredInterests.filter((i) => i.userId === caller.userId).map((i) => i.schoolId),
    );
    const decisions = await latestDecisions(manager, requestIds);
    const pools: (ResourcePool & { unit: ServiceUnit })[] = await manager
      .createQueryBuilder()
      .select(['pool.*', 'service.unit AS unit'])
      .from('resource_pool', 'pool')
      .innerJoin('service', 'service', 'service.code = pool.service_code')
      .where('pool.locality_id = :localityId', { localityId: meeting.localityId })
      .andWhere(':meetingOn::date BETWEEN pool.period_start AND pool.period_end', { meetingOn: meeting.meetingOn })
      .orderBy('pool.service_code')
      .addOrderBy('pool.period_start')
      .getRawMany()
      .then((rows) =>
        rows.map((row) => ({
          id: row.id,
          localityId: row.locality_id,
          serviceCode: row.service_code,
          periodStart: row.period_start,
          periodEnd: row.period_end,
          capacityUnits: Number(row.capacity_units),
          allocatedUnits: Number(row.allocated_units),
          version: row.version,
          unit: row.unit,
        })) as (ResourcePool & { unit: ServiceUnit })[],
      );

    const pupilById = new Map(pupils.map((p) => [p.id, p]));
    const items: AgendaItemView[] = requests.map((r) => {
      const p = pupilById.get(r.pupilId)!;
      return {
        request: SupportRequestView.of(r, decisions.get(r.id)),
        urgent: r.urgency === 'URGENT',
        callerDeclaredInterest: interests.has(r.schoolId) || interests.has(p.school_id),
        pupil: {
          id: p.id,
          firstName: p.first_name,
          lastName: p.last_name,
          yearGroup: yearGroupFromBirth(p.date_of_birth, today) + p.year_offset,
          schoolId: p.school_id,
          schoolName: p.school_name,
          senStatus: p.sen_status,
          primaryNeed: p.primary_need,
          secondaryNeed: p.secondary_need,
        },
        previousRequests: previous.filter((x) => x.pupil_id === r.pupilId).map(previousView),
        supportCycles: cycles.filter((c) => c.pupil_id === r.pupilId).map(cycleView),
      };
    });
    return { meeting: meetingView, requests: items, pools: pools.map((pool) => ResourcePoolView.of(pool, pool.unit)) };
  }

  private scoped(manager: EntityManager, scope: ScopeFilter): SelectQueryBuilder<PanelMeeting> {
    const qb = manager.getRepository(PanelMeeting).createQueryBuilder('m').innerJoin(Locality, 'locality', 'locality.id = m.locality_id');
    return applyScope(qb, scope, MEETING_SCOPE);
  }

  /** The meeting, if in the caller's scope; otherwise 404. */
  private async findInScope(manager: EntityManager, scope: ScopeFilter, id: string): Promise<PanelMeeting> {
    const meeting = await this.scoped(manager, scope).andWhere('m.id = :id', { id }).getOne();
    if (!meeting) throw ProblemException.notFound('panel meeting');
    return meeting;
  }

  /** Views with their declared interests (one query for the page). */
  private async views(manager: EntityManager, meetings: PanelMeeting[]): Promise<PanelMeetingView[]> {
    if (meetings.length === 0) return [];
    const rows = await manager
      .getRepository(PanelMeetingInterest)
      .createQueryBuilder('i')
      .where('i.meeting_id IN (:...ids)', { ids: meetings.map((m) => m.id) })
      .orderBy('i.user_id')
      .addOrderBy('i.school_id')
      .getMany();
    return meetings.map((m) =>
      PanelMeetingView.of(
        m,
        rows.filter((i) => i.meetingId === m.id).map((i): DeclaredInterestView => ({ userId: i.userId, schoolId: i.schoolId })),
      ),
    );
  }
}

interface PupilRow {
  id: string;
  first_name: string;
  last_name: string;
  date_of_birth: string;
  year_offset: number;
  school_id: string;
  school_name: string;
  sen_status: string;
  primary_need: string | null;
  secondary_need: string | null;
}

interface PreviousRow {
  id: string;
  pupil_id: string;
  service_code: string;
  status: PreviousRequestView['status'];
  submitted_on: string | null;
  units_requested: string;
  outcome: PreviousRequestView['decisionOutcome'];
  decided_on: string | null;
  units_approved: string | null;
}

interface CycleRow {
  id: string;
  pupil_id: string;
  start_on: string;
  review_on: string;
  status: string;
  reviewed_on: string | null;
  outcomes: { description: string }[];
  next_step: string | null;
  review_outcomes: { outcomeIndex: number; progress: string }[] | null;
}

function previousView(x: PreviousRow): PreviousRequestView {
  return {
    id: x.id,
    serviceCode: x.service_code,
    status: x.status,
    submittedOn: x.submitted_on,
    unitsRequested: Number(x.units_requested),
    decisionOutcome: x.outcome ?? null,
    decidedOn: x.decided_on ?? null,
    unitsApproved: x.units_approved === null ? null : Number(x.units_approved),
  };
}

function cycleView(c: CycleRow): SupportCycleView {
  return {
    id: c.id,
    startOn: c.start_on,
    reviewOn: c.review_on,
    status: c.status,
    reviewedOn: c.reviewed_on,
    nextStep: c.next_step,
    outcomes: c.outcomes.map((o, index) => ({
      description: o.description,
      progress: c.review_outcomes?.find((r) => r.outcomeIndex === index)?.progress ?? null,
    })),
  };
}
