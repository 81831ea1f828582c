import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { type CalendarDate } from '../common/dates/calendar-date';
import { ProblemException } from '../common/problem/problem.exception';
import { Deadline } from './deadline.entity';
import type { DeadlineKind, SubjectType } from './deadline-kind';
import { dueDate } from './deadline-rules';
import { SlaRule } from './sla-rule.entity';

/** Kinds a unique index keeps to one deadline per subject and start date (deadline_phase_transfer_once). */
const ONCE_PER_START: readonly DeadlineKind[] = ['PHASE_TRANSFER'];
/** Rows per INSERT in openOnce (13 parameters a row, well under PostgreSQL's 65,535). */
const OPEN_BATCH = 500;

export interface DeadlineSubject {
  subjectType: SubjectType;
  subjectId: string;
}

export interface OpenDeadline extends DeadlineSubject {
  kind: DeadlineKind;
  startsOn: CalendarDate;
  /** Required for AGREED (support plan review) and FIXED_DATE (phase transfer) kinds. */
  dueOn?: CalendarDate;
  /** A per-service target in weeks (DELIVERY_START). */
  weeksOverride?: number | null;
  pupilId?: string | null;
  schoolId?: string | null;
  localityId?: string | null;
  organisationId?: string | null;
}

/**
 * The one way feature modules open, meet, cancel or except deadlines. Every method takes the use
 * case's EntityManager, so the deadline change commits or rolls back with the change it follows.
 * Features never decide "is it late": status is derived against an as-of date when read.
 */
@Injectable()
export class TimelinessService {
  /** Opens a deadline with the due date its SLA rule gives (as the rule stands now). */
  async open(manager: EntityManager, spec: OpenDeadline): Promise<Deadline> {
    const rule = await manager.findOneByOrFail(SlaRule, { kind: spec.kind });
    return manager.save(this.newDeadline(manager, rule, spec));
  }

  /**
   * Opens each deadline unless it exists already: for runs that may be repeated (the yearly
   * phase transfers). Only kinds whose deadlines a unique index keeps once (ONCE_PER_START) may
   * be opened so; a subject with one of the kind still open (deadline_open_unique) also gets no
   * second. Inserts in batches; returns how many were opened.
   */
  async openOnce(manager: EntityManager, specs: OpenDeadline[]): Promise<number> {
    const rules = new Map<DeadlineKind, SlaRule>();
    for (const kind of new Set(specs.map((s) => s.kind))) {
      if (!ONCE_PER_START.includes(kind)) throw new RangeError(`${kind} deadlines have no unique index: they cannot be opened once`);
      rules.set(kind, await manager.findOneByOrFail(SlaRule, { kind }));
    }
    let opened = 0;
    for (let i = 0; i < specs.length; i += OPEN_BATCH) {
      const rows = specs.slice(i, i + OPEN_BATCH).map((spec) => this.newDeadline(manager, rules.get(spec.kind)!, spec));
      const result = await manager.createQueryBuilder().insert().into(Deadline).values(rows).orIgnore().returning('id').execute();
      opened += (result.raw as unknown[]).length;
    }
    return opened;
  }

  private newDeadline(manager: EntityManager, rule: SlaRule, spec: OpenDeadline): Deadline {
    return manager.create(Deadline, {
      kind: spec.kind,
      subjectType: spec.subjectType,
      subjectId: spec.subjectId,
      pupilId: spec.pupilId ?? null,
      schoolId: spec.schoolId ?? null,
      localityId: spec.localityId ?? null,
      organisationId: spec.organisationId ?? null,
      startsOn: spec.startsOn,
      dueOn: dueDate(rule, spec.startsOn, { dueOn: spec.dueOn, weeksOverride: spec.weeksOverride }),
      metOn: null,
      cancelledOn: null,
      excepted: false,
      exceptionReason: null,
    });
  }

  /** Meets the subject's open deadline of this kind; undefined when none is open. */
  async meet(manager: EntityManager, subject: DeadlineSubject, kind: DeadlineKind, metOn: CalendarDate): Promise<Deadline | undefined> {
    const open = await this.findOpen(manager, subject, kind);
    if (!open) return undefined;
    if (metOn < open.startsOn) {
      throw ProblemException.invalidField('date', `cannot be before the deadline started (${open.startsOn})`);
    }
    open.metOn = metOn;
    return manager.save(open);
  }

  /** Closes the subject's open deadlines (of the given kinds, or all) as cancelled, not late. */
  async cancel(manager: EntityManager, subject: DeadlineSubject, cancelledOn: CalendarDate, kinds?: DeadlineKind[]): Promise<number> {
    const query = manager
      .createQueryBuilder()
      .update(Deadline)
      .set({ cancelledOn: () => 'GREATEST(:cancelledOn::date, starts_on)' })
      .setParameter('cancelledOn', cancelledOn)
      .where('subject_type = :subjectType AND subject_id = :subjectId AND met_on IS NULL AND cancelled_on IS NULL', subject);
    if (kinds?.length) query.andWhere('kind IN (:...kinds)', { kinds });
    const result = await query.execute();
    return result.affected ?? 0;
  }

  /** Marks an exception (Reg 10(4)): the due date stays; the deadline is counted apart. */
  async markException(manager: EntityManager, subject: DeadlineSubject, kinds: DeadlineKind[], reason: string): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(Deadline)
      .set({ excepted: true, exceptionReason: reason })
      .where('subject_type = :subjectType AND subject_id = :subjectId AND kind IN (:...kinds)', { ...subject, kinds })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * A pupil moved school: their open deadlines follow them, so the receiving school and its
   * locality see (and are counted for) what is still to be done. Met and cancelled ones stay put.
   */
  async followPupil(manager: EntityManager, pupilId: string, schoolId: string): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(Deadline)
      .set({ schoolId, localityId: () => '(SELECT locality_id FROM school WHERE id = :schoolId)' })
      .setParameter('schoolId', schoolId)
      .where('pupil_id = :pupilId AND met_on IS NULL AND cancelled_on IS NULL', { pupilId })
      .execute();
    return result.affected ?? 0;
  }

  /** A pupil left: their open deadlines close as cancelled (not late) on the day they left. */
  async cancelForPupil(manager: EntityManager, pupilId: string, cancelledOn: CalendarDate): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(Deadline)
      .set({ cancelledOn: () => 'GREATEST(:cancelledOn::date, starts_on)' })
      .setParameter('cancelledOn', cancelledOn)
      .where('pupil_id = :pupilId AND met_on IS NULL AND cancelled_on IS NULL', { pupilId })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Meets the subject's deadline of this kind on `metOn`, or, when it is already met on a later
   * date, moves the meeting back to `metOn`: the event that meets it (a first session) may be
   * recorded after a later one. Never before the deadline started; undefined when there is none.
   */
  async meetByEarliest(manager: EntityManager, subject: DeadlineSubject, kind: DeadlineKind, metOn: CalendarDate): Promise<Deadline | undefined> {
    const open = await this.meet(manager, subject, kind, metOn);
    if (open) return open;
    const met = await manager.findOne(Deadline, { where: { ...subject, kind, cancelledOn: IsNull() }, order: { startsOn: 'DESC', createdAt: 'DESC' } });
    if (!met?.metOn || metOn >= met.metOn || metOn < met.startsOn) return undefined;
    met.metOn = metOn;
    return manager.save(met);
  }

  /** The open deadline of a kind for a subject, if any. */
  findOpen(manager: EntityManager, subject: DeadlineSubject, kind: DeadlineKind): Promise<Deadline | null> {
    return manager.findOneBy(Deadline, { ...subject, kind, metOn: IsNull(), cancelledOn: IsNull() });
  }

  /** Every deadline of a subject, oldest first (for timelines). */
  forSubject(manager: EntityManager, subject: DeadlineSubject): Promise<Deadline[]> {
    return manager.find(Deadline, { where: { ...subject }, order: { startsOn: 'ASC', createdAt: 'ASC' } });
  }
}
