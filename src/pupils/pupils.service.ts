import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Brackets, DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../access/caller';
import { applyScope, scopeConditions, type ScopeColumns, type ScopeConditions, type ScopeFilter } from '../access/scope-filter';
import { AuditEvent } from '../audit/audit-event.entity';
import { TimelinessService } from '../timeliness/timeliness.service';
import { AccessLogWriter } from '../audit/access-log-writer';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { assertVersion } from '../common/concurrency/expected-version';
import { academicYearStart, addDays, compareDates, type CalendarDate } from '../common/dates/calendar-date';
import { Page, paginate } from '../common/pagination/paginate';
import type { FieldError } from '../common/problem/problem-type';
import { ProblemException } from '../common/problem/problem.exception';
import { escapeLike } from '../common/sql/escape-like';
import { Locality } from '../localities/locality.entity';
import { School } from '../localities/school.entity';
import {
  AccessLogQueryDto,
  AccessLogView,
  CreatePupilDto,
  LeavePupilDto,
  PUPIL_MINIMAL_VIEW_COLUMNS,
  PUPIL_VIEW_COLUMNS,
  PupilMinimalView,
  PupilQueryDto,
  PupilView,
  TransferPupilDto,
  UpdatePupilDto,
} from './dto/pupil.dto';
import { nameKey } from './name-key';
import { needsProblems } from './needs';
import { HistoryField, PupilHistory } from './pupil-history.entity';
import { Pupil } from './pupil.entity';
import { normaliseUpn } from './upn';
import { birthRangeOfYearGroup, dateOfBirthAndYearGroup, yearGroupFromBirth } from './year-group';
import { ADVICE_CASELOAD_SQL } from '../ehc/advice-caseload';

/**
 * A PANEL member's caseload: pupils with a support request heard in their locality (submitted
 * or later, never a school's draft), wherever the pupil is at school now. Uses the `pupil` alias.
 */
export const PANEL_CASELOAD_SQL =
  "EXISTS (SELECT 1 FROM support_request sr WHERE sr.pupil_id = pupil.id AND sr.locality_id = :scope_localityId AND sr.status <> 'DRAFT')";

/**
 * A PROVIDER practitioner's caseload: pupils their organisation holds work for, one EXISTS per
 * kind of work, OR-ed together (EHC advice requests add theirs to this list). An allocation counts
 * while offered, accepted or in delivery, and once completed for PROVIDER_ACCESS_DAYS_AFTER_COMPLETION
 * days (completed on or after `:scope_accessFrom`); a declined or cancelled one gives no access
 * (the organisation never took the work on, or no longer holds it). Uses the `pupil` alias.
 */
export const PROVIDER_CASELOAD_CONDITIONS: readonly string[] = [
  `EXISTS (SELECT 1 FROM allocation pa WHERE pa.pupil_id = pupil.id AND pa.organisation_id = :scope_organisationId
     AND pa.status IN ('OFFERED', 'ACCEPTED', 'IN_DELIVERY', 'COMPLETED')
     AND (pa.completed_on IS NULL OR pa.completed_on >= :scope_accessFrom::date))`,
  ADVICE_CASELOAD_SQL,
];

/** The first day whose completions still give a provider access, `today` minus the configured days. */
export function providerAccessFrom(today: CalendarDate, daysAfterCompletion: number): CalendarDate {
  return addDays(today, -daysAfterCompletion);
}

/**
 * Where a pupil sits, for the caller's scope, once `pupil` is joined to its `school` and that to
 * its `locality`. PANEL members see their caseload (PANEL_CASELOAD_SQL), PROVIDER practitioners
 * theirs (PROVIDER_CASELOAD_CONDITIONS, with :scope_accessFrom set by applyPupilScope).
 */
const PUPIL_SCOPE_COLUMNS: ScopeColumns = {
  schoolId: 'pupil.school_id',
  localityId: 'school.locality_id',
  area: 'locality.area',
};

/** The pupil scope columns for this caller: with the caseload condition a LOCALITY caseload needs. */
export function pupilScopeColumns(scope: ScopeFilter, columns: ScopeColumns = PUPIL_SCOPE_COLUMNS): ScopeColumns {
  if (scope.caseload === 'LOCALITY') return { ...columns, caseload: PANEL_CASELOAD_SQL };
  if (scope.caseload === 'ORGANISATION') return { ...columns, caseload: PROVIDER_CASELOAD_CONDITIONS.join(' OR ') };
  return columns;
}

/**
 * Applies a pupil scope to a query with `pupil`, `school` and `locality` aliases, setting the
 * provider access window the caseload SQL needs (a parameter the query always carries).
 */
export function applyPupilScope<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  scope: ScopeFilter,
  accessFrom: CalendarDate,
  columns: ScopeColumns = PUPIL_SCOPE_COLUMNS,
): SelectQueryBuilder<T> {
  qb.setParameter('scope_accessFrom', accessFrom);
  return applyScope(qb, scope, pupilScopeColumns(scope, columns));
}

/** The same scope as applyPupilScope, as conditions for a statement written in SQL. */
export function pupilScopeConditions(scope: ScopeFilter, accessFrom: CalendarDate, columns: ScopeColumns = PUPIL_SCOPE_COLUMNS): ScopeConditions {
  const { conditions, parameters } = scopeConditions(scope, pupilScopeColumns(scope, columns));
  return { conditions, parameters: { ...parameters, scope_accessFrom: accessFrom } };
}

/**
 * One pupil with its school's name and locality, as the views need them (PupilViewSource). The
 * same tables and aliases as pupilQuery, so the pupil scope applies unchanged.
 */
const PUPIL_BY_ID_SQL = `SELECT pupil.id, pupil.upn, pupil.first_name AS "firstName", pupil.last_name AS "lastName",
       pupil.date_of_birth AS "dateOfBirth", pupil.school_id AS "schoolId", pupil.year_offset AS "yearOffset",
       pupil.sen_status AS "senStatus", pupil.primary_need AS "primaryNeed", pupil.secondary_need AS "secondaryNeed",
       pupil.left_on AS "leftOn", pupil.leave_reason AS "leaveReason", pupil.version,
       school.name AS "schoolName", school.locality_id AS "localityId"
  FROM pupil
  JOIN school ON school.id = pupil.school_id
  JOIN locality ON locality.id = school.locality_id
 WHERE pupil.id = :id`;

/** What the pupil views read: the entity (with its school joined) or a row of PUPIL_BY_ID_SQL. */
type PupilViewSource = Pick<
  Pupil,
  'id' | 'upn' | 'firstName' | 'lastName' | 'dateOfBirth' | 'schoolId' | 'yearOffset' | 'senStatus' | 'primaryNeed' | 'secondaryNeed' | 'leftOn' | 'leaveReason' | 'version'
> & { school?: Pick<School, 'name' | 'localityId'> };

/** The same scope applied to a school named in a body (a transfer's or a new pupil's school). */
const SCHOOL_SCOPE_COLUMNS: ScopeColumns = {
  schoolId: 'school.id',
  localityId: 'school.locality_id',
  area: 'locality.area',
};

/** The list's name order: surname, then first name. chr(1) sorts before any character of a name. */
const NAME_SORT_SQL = 'pupil.last_name_key || chr(1) || pupil.first_name_key';
const nameSortKey = (pupil: Pupil): string => `${pupil.lastNameKey}\u0001${pupil.firstNameKey}`;

/** Something that looks like a UPN (checked or not): searched exactly, never as a name. */
const UPN_LIKE = /^[A-Z][0-9]{11}[0-9A-Z]$/;

type PupilRecordFields = Pick<Pupil, 'firstName' | 'lastName' | 'dateOfBirth' | 'yearOffset' | 'senStatus' | 'primaryNeed' | 'secondaryNeed'>;

/** Fields as the API names them (the stored offset is the client's `yearGroup`). */
const API_FIELD: Record<keyof PupilRecordFields, string> = {
  firstName: 'firstName',
  lastName: 'lastName',
  dateOfBirth: 'dateOfBirth',
  yearOffset: 'yearGroup',
  senStatus: 'senStatus',
  primaryNeed: 'primaryNeed',
  secondaryNeed: 'secondaryNeed',
};

interface HistoryEntry {
  field: HistoryField;
  from: string | null;
  to: string | null;
}

/**
 * The SEN register. Every read and write applies the caller's scope in SQL (404 outside it);
 * every write is one transaction holding the change, its dated history rows and its audit row;
 * reading one pupil's record writes an access row (a list does not).
 */
@Injectable()
export class PupilsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly accessLogWriter: AccessLogWriter,
    private readonly clock: Clock,
    private readonly timeliness: TimelinessService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** From which completion date a provider still sees the pupil (as of today). */
  private accessFrom(): CalendarDate {
    return providerAccessFrom(this.clock.today(), this.config.providerAccessDaysAfterCompletion);
  }

  /** The view a caller gets: PROVIDER practitioners only ever see the minimal one (API.md). */
  static minimalFor(scope: ScopeFilter): boolean {
    return scope.caseload === 'ORGANISATION';
  }

  static columnsFor(scope: ScopeFilter): readonly string[] {
    return PupilsService.minimalFor(scope) ? PUPIL_MINIMAL_VIEW_COLUMNS : PUPIL_VIEW_COLUMNS;
  }

  async list(scope: ScopeFilter, query: PupilQueryDto): Promise<Page<PupilView | PupilMinimalView>> {
    const today = this.clock.today();
    const qb = this.pupilQuery(this.dataSource.manager);
    applyPupilScope(qb, scope, this.accessFrom());
    if (!query.includeLeft) qb.andWhere('pupil.left_on IS NULL');
    if (query.schoolId) qb.andWhere('pupil.school_id = :schoolId', { schoolId: query.schoolId });
    if (query.localityId) qb.andWhere('school.locality_id = :localityId', { localityId: query.localityId });
    if (query.senStatus) qb.andWhere('pupil.sen_status = :senStatus', { senStatus: query.senStatus });
    if (query.need) qb.andWhere('(pupil.primary_need = :need OR pupil.secondary_need = :need)', { need: query.need });
    if (query.yearGroup !== undefined) this.whereYearGroup(qb, query.yearGroup, today);
    if (query.q?.trim()) this.whereSearch(qb, query.q);

    // With a search, the matches (index ranges of the name prefixes) are read and sorted: walking
    // the whole name index in order and filtering, which PostgreSQL otherwise picks, reads every
    // pupil sorted before the prefix (870 ms for 'dav' at N = 5; 28 ms this way). The same value,
    // written so that the name index cannot order it.
    const nameSort = query.q?.trim() ? `(${NAME_SORT_SQL} || '')` : `(${NAME_SORT_SQL})`;
    const page = await paginate(qb, query, {
      sortable: { lastName: nameSort, upn: 'pupil.upn', dateOfBirth: 'pupil.date_of_birth' },
      defaultSort: 'lastName',
      idColumn: 'pupil.id',
      keyOf: (pupil, field) => (field === 'lastName' ? nameSortKey(pupil) : field === 'upn' ? pupil.upn : pupil.dateOfBirth),
    });
    return { data: page.data.map((pupil) => this.viewFor(scope, pupil, today)), nextCursor: page.nextCursor };
  }

  /** One pupil's record; the read is written to the audit trail as an access row ('pupil.read'). */
  /** One statement, no transaction: the access row is queued to the batched writer (a read is no write use case). */
  async get(caller: Caller, scope: ScopeFilter, id: string): Promise<PupilView | PupilMinimalView> {
    const pupil = await this.readInScope(scope, id);
    this.accessLogWriter.record(caller, {
      action: 'pupil.read',
      entityType: 'pupil',
      entityId: pupil.id,
      place: { schoolId: pupil.schoolId, pupilId: pupil.id },
    });
    return this.viewFor(scope, pupil, this.clock.today());
  }

  async create(caller: Caller, scope: ScopeFilter, dto: CreatePupilDto): Promise<PupilView> {
    const today = this.clock.today();
    const errors: FieldError[] = [];
    const yearOffset = this.dateOfBirthAndYearGroup(errors, dto.dateOfBirth, dto.yearGroup, 0, today, true);
    errors.push(...needsProblems(dto));
    if (errors.length) throw ProblemException.validation(errors);
    const primaryNeed = dto.primaryNeed ?? null;
    const secondaryNeed = dto.secondaryNeed ?? null;

    return this.dataSource.transaction(async (manager) => {
      await this.assertSchoolInScope(manager, scope, dto.schoolId);
      // A duplicate UPN is the unique constraint's 409 naming upn (also between concurrent creates).
      const pupil = await manager.save(
        manager.create(Pupil, {
          upn: normaliseUpn(dto.upn),
          firstName: dto.firstName,
          lastName: dto.lastName,
          firstNameKey: nameKey(dto.firstName),
          lastNameKey: nameKey(dto.lastName),
          dateOfBirth: dto.dateOfBirth,
          schoolId: dto.schoolId,
          yearOffset,
          senStatus: dto.senStatus,
          primaryNeed,
          secondaryNeed,
          leftOn: null,
          leaveReason: null,
        }),
      );
      // The register's first entries: status, needs and school as from today.
      await this.writeHistory(manager, caller, pupil.id, today, [
        { field: 'senStatus', from: null, to: dto.senStatus },
        { field: 'primaryNeed', from: null, to: primaryNeed },
        { field: 'secondaryNeed', from: null, to: secondaryNeed },
        { field: 'schoolId', from: null, to: dto.schoolId },
      ]);
      const fields = ['upn', 'firstName', 'lastName', 'dateOfBirth', 'schoolId', 'senStatus'];
      if (yearOffset !== 0) fields.push('yearGroup');
      if (primaryNeed) fields.push('primaryNeed');
      if (secondaryNeed) fields.push('secondaryNeed');
      await this.audit.record(manager, caller, {
        action: 'pupil.create',
        entityType: 'pupil',
        entityId: pupil.id,
        changedFields: fields.sort(),
        place: { schoolId: pupil.schoolId, pupilId: pupil.id },
      });
      return this.view(await this.findInScope(manager, {}, pupil.id, false), today);
    });
  }

  /** A PATCH that changes nothing writes nothing: no new version, no history, no audit row. */
  async update(caller: Caller, scope: ScopeFilter, id: string, version: number, dto: UpdatePupilDto): Promise<PupilView> {
    return this.dataSource.transaction(async (manager) => {
      const pupil = await this.findInScope(manager, scope, id, true);
      assertVersion('pupil', pupil.version, version);
      const today = this.clock.today();
      if (pupil.erasedOn !== null) assertKeepsErasure(pupil, dto);

      const after: PupilRecordFields = {
        firstName: dto.firstName ?? pupil.firstName,
        lastName: dto.lastName ?? pupil.lastName,
        dateOfBirth: dto.dateOfBirth ?? pupil.dateOfBirth,
        yearOffset: pupil.yearOffset,
        senStatus: dto.senStatus ?? pupil.senStatus,
        primaryNeed: dto.primaryNeed !== undefined ? dto.primaryNeed : pupil.primaryNeed,
        secondaryNeed: dto.secondaryNeed !== undefined ? dto.secondaryNeed : pupil.secondaryNeed,
      };
      const errors: FieldError[] = [];
      const dateOfBirthChanged = after.dateOfBirth !== pupil.dateOfBirth;
      after.yearOffset = this.dateOfBirthAndYearGroup(errors, after.dateOfBirth, dto.yearGroup, pupil.yearOffset, today, dateOfBirthChanged);
      if (pupil.leftOn && dateOfBirthChanged && compareDates(pupil.leftOn, after.dateOfBirth) <= 0) {
        errors.push({ field: 'dateOfBirth', message: `must be before the date the pupil left (${pupil.leftOn})` });
      }
      errors.push(...needsProblems(after));
      if (errors.length) throw ProblemException.validation(errors);

      const changed = (Object.keys(after) as (keyof PupilRecordFields)[]).filter((key) => after[key] !== pupil[key]);
      if (changed.length === 0) return this.view(pupil, today);

      const changes: Partial<Pupil> = Object.fromEntries(changed.map((key) => [key, after[key]]));
      if (changed.includes('firstName')) changes.firstNameKey = nameKey(after.firstName);
      if (changed.includes('lastName')) changes.lastNameKey = nameKey(after.lastName);
      await manager.update(Pupil, { id: pupil.id }, changes);
      await this.writeHistory(
        manager,
        caller,
        pupil.id,
        today,
        (['senStatus', 'primaryNeed', 'secondaryNeed'] as const).map((field) => ({ field, from: pupil[field], to: after[field] })),
      );
      await this.audit.record(manager, caller, {
        action: 'pupil.update',
        entityType: 'pupil',
        entityId: pupil.id,
        changedFields: changed.map((key) => API_FIELD[key]).sort(),
        place: { schoolId: pupil.schoolId, pupilId: pupil.id },
      });
      return this.view(await this.findInScope(manager, {}, pupil.id, false), today);
    });
  }

  /**
   * Moves a pupil to another school. A SENCO (an own-school scope) brings a pupil INTO their own
   * school from any school, so for them the pupil is looked up county-wide and the body's school
   * must be theirs; a caseworker moves pupils within their scope (both schools in it).
   */
  async transfer(caller: Caller, scope: ScopeFilter, id: string, dto: TransferPupilDto, version?: number): Promise<PupilView> {
    const receivingSchoolOnly = scope.schoolId !== undefined && !scope.nothing;
    return this.dataSource.transaction(async (manager) => {
      await this.assertSchoolInScope(manager, scope, dto.schoolId);
      const pupil = await this.findInScope(manager, receivingSchoolOnly ? {} : scope, id, true);
      if (version !== undefined) assertVersion('pupil', pupil.version, version);
      if (pupil.leftOn) {
        throw new ProblemException(
          'invalid-transition',
          `the pupil left on ${pupil.leftOn} (${pupil.leaveReason}); a pupil who has left cannot be transferred`,
          undefined,
          { currentStatus: 'LEFT', leftOn: pupil.leftOn, leaveReason: pupil.leaveReason },
        );
      }
      if (pupil.schoolId === dto.schoolId) {
        throw new ProblemException('invalid-transition', 'the pupil is already at this school', undefined, { currentSchoolId: pupil.schoolId });
      }
      const today = this.clock.today();
      await this.assertEventDate(manager, pupil, 'movedOn', dto.movedOn, today);

      await manager.update(Pupil, { id: pupil.id }, { schoolId: dto.schoolId });
      await this.timeliness.followPupil(manager, pupil.id, dto.schoolId);
      await this.writeHistory(manager, caller, pupil.id, dto.movedOn, [{ field: 'schoolId', from: pupil.schoolId, to: dto.schoolId }]);
      await this.audit.record(manager, caller, {
        action: 'pupil.transfer',
        entityType: 'pupil',
        entityId: pupil.id,
        changedFields: ['schoolId'],
        place: { schoolId: dto.schoolId, pupilId: pupil.id },
      });
      return this.view(await this.findInScope(manager, {}, pupil.id, false), today);
    });
  }

  /** Marks a pupil as having left; the record and its history stay (left pupils drop out of lists). */
  async leave(caller: Caller, scope: ScopeFilter, id: string, dto: LeavePupilDto, version?: number): Promise<PupilView> {
    return this.dataSource.transaction(async (manager) => {
      const pupil = await this.findInScope(manager, scope, id, true);
      if (version !== undefined) assertVersion('pupil', pupil.version, version);
      if (pupil.leftOn) {
        throw new ProblemException(
          'invalid-transition',
          `the pupil has already left: left on ${pupil.leftOn} (${pupil.leaveReason})`,
          undefined,
          { currentStatus: 'LEFT', leftOn: pupil.leftOn, leaveReason: pupil.leaveReason },
        );
      }
      const today = this.clock.today();
      await this.assertEventDate(manager, pupil, 'leftOn', dto.leftOn, today);

      await manager.update(Pupil, { id: pupil.id }, { leftOn: dto.leftOn, leaveReason: dto.reason });
      await this.timeliness.cancelForPupil(manager, pupil.id, dto.leftOn);
      await this.writeHistory(manager, caller, pupil.id, dto.leftOn, [{ field: 'leftOn', from: null, to: dto.leftOn }]);
      await this.audit.record(manager, caller, {
        action: 'pupil.leave',
        entityType: 'pupil',
        entityId: pupil.id,
        changedFields: ['leaveReason', 'leftOn'],
        place: { schoolId: pupil.schoolId, pupilId: pupil.id },
      });
      return this.view(await this.findInScope(manager, {}, pupil.id, false), today);
    });
  }

  /**
   * Who read or changed this pupil's record, newest first, from the audit trail (entity 'pupil').
   * The pupil must be in the caller's scope (an ADMIN's is the county). Reading the log is not
   * itself a read of the child's record, so it writes no access row.
   */
  async accessLog(scope: ScopeFilter, id: string, query: AccessLogQueryDto): Promise<Page<AccessLogView>> {
    const pupil = await this.findInScope(this.dataSource.manager, scope, id, false);
    await this.accessLogWriter.flush();
    const qb = this.dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('event')
      // Every audit row about the child: the pupil record and the records about them (support plans...).
      .where('event.pupil_id = :pupilId', { pupilId: pupil.id });
    const page = await paginate(qb, query, { sortable: { at: 'event.at' }, defaultSort: '-at', idColumn: 'event.id' });
    return {
      data: page.data.map((event) => ({
        at: event.at.toISOString(),
        actorId: event.actorId,
        actorEmail: event.actorEmail,
        actorRole: event.actorRole,
        action: event.action,
      })),
      nextCursor: page.nextCursor,
    };
  }

  // --- queries -------------------------------------------------------------------------------

  /** Pupils with their school (for its name) and the school's locality (for the area scope). */
  private pupilQuery(manager: EntityManager): SelectQueryBuilder<Pupil> {
    return manager
      .getRepository(Pupil)
      .createQueryBuilder('pupil')
      .innerJoinAndSelect('pupil.school', 'school')
      .innerJoin(Locality, 'locality', 'locality.id = school.locality_id');
  }

  /** The pupil, if the caller's scope reaches it; otherwise 404 (never reveal that it exists). */
  private async findInScope(manager: EntityManager, scope: ScopeFilter, id: string, lock: boolean): Promise<Pupil> {
    const qb = this.pupilQuery(manager).where('pupil.id = :id', { id });
    applyPupilScope(qb, scope, this.accessFrom());
    // Locks the pupil row only, not its school and locality.
    if (lock) qb.setLock('pessimistic_write', undefined, ['pupil']);
    const pupil = await qb.getOne();
    if (!pupil) throw ProblemException.notFound('pupil');
    return pupil;
  }

  /**
   * findInScope for a plain read: one parameterised statement (PUPIL_BY_ID_SQL and the pupil
   * scope), no query builder or entity hydration, as this is the register's most frequent request.
   */
  private async readInScope(scope: ScopeFilter, id: string): Promise<PupilViewSource> {
    const { conditions, parameters } = pupilScopeConditions(scope, this.accessFrom());
    const sql = [PUPIL_BY_ID_SQL, ...conditions].join('\n   AND ');
    const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, { ...parameters, id });
    const [row] = (await this.dataSource.query(text, values)) as (PupilViewSource & { schoolName: string; localityId: string })[];
    if (!row) throw ProblemException.notFound('pupil');
    const { schoolName, localityId, ...pupil } = row;
    return { ...pupil, school: { name: schoolName, localityId } };
  }

  /** A school named in a body must exist and be in the caller's scope: otherwise 400 "unknown school". */
  private async assertSchoolInScope(manager: EntityManager, scope: ScopeFilter, schoolId: string): Promise<void> {
    const qb = manager
      .getRepository(School)
      .createQueryBuilder('school')
      .innerJoin(Locality, 'locality', 'locality.id = school.locality_id')
      .select('school.id', 'id')
      .where('school.id = :schoolId', { schoolId });
    applyScope(qb, scope, SCHOOL_SCOPE_COLUMNS);
    if (!(await qb.getRawOne())) throw ProblemException.invalidField('schoolId', 'unknown school');
  }

  /** Year group today (with the offset) equal to the given one: a date-of-birth range per offset. */
  private whereYearGroup(qb: SelectQueryBuilder<Pupil>, yearGroup: number, today: CalendarDate): void {
    const academicYear = Number(academicYearStart(today).slice(0, 4));
    const ranges = [-1, 0, 1].map((offset) => ({ offset, ...birthRangeOfYearGroup(yearGroup - offset, academicYear) }));
    qb.andWhere(
      new Brackets((or) => {
        for (const { offset, from, to } of ranges) {
          const n = offset + 1;
          or.orWhere(`(pupil.year_offset = :yo${n} AND pupil.date_of_birth BETWEEN :yf${n} AND :yt${n})`, {
            [`yo${n}`]: offset,
            [`yf${n}`]: from,
            [`yt${n}`]: to,
          });
        }
      }),
    );
  }

  /**
   * `q`: a UPN matches exactly; anything else is a prefix of the surname or first name, ignoring
   * case and accents, or with two or more words "first last" / "last first".
   */
  private whereSearch(qb: SelectQueryBuilder<Pupil>, raw: string): void {
    // An erased pupil (data-protection) has no name or UPN left to find it by.
    qb.andWhere('pupil.erased_on IS NULL');
    const upn = normaliseUpn(raw);
    if (UPN_LIKE.test(upn)) {
      qb.andWhere('pupil.upn = :qUpn', { qUpn: upn });
      return;
    }
    const key = nameKey(raw);
    const prefix = (text: string) => `${escapeLike(text)}%`;
    const conditions = ['pupil.last_name_key LIKE :qAll', 'pupil.first_name_key LIKE :qAll'];
    const params: Record<string, string> = { qAll: prefix(key) };
    const [head, ...rest] = key.split(' ');
    if (rest.length > 0) {
      conditions.push(
        '(pupil.first_name_key LIKE :qHead AND pupil.last_name_key LIKE :qTail)',
        '(pupil.last_name_key LIKE :qHead AND pupil.first_name_key LIKE :qTail)',
      );
      params.qHead = prefix(head);
      params.qTail = prefix(rest.join(' '));
    }
    qb.andWhere(`(${conditions.join(' OR ')})`, params);
  }

  // --- rules ---------------------------------------------------------------------------------

  /** The shared rule (year-group.ts), also used by the pupil import. */
  private dateOfBirthAndYearGroup(
    errors: FieldError[],
    dateOfBirth: CalendarDate,
    yearGroup: number | undefined,
    currentOffset: number,
    today: CalendarDate,
    checkAge: boolean,
  ): number {
    return dateOfBirthAndYearGroup(errors, dateOfBirth, yearGroup, currentOffset, today, checkAge);
  }

  /**
   * A transfer's or leaving date: not in the future, and not before the pupil's last dated
   * change (history is in date order; "as at" values depend on it).
   */
  private async assertEventDate(manager: EntityManager, pupil: Pupil, field: string, date: CalendarDate, today: CalendarDate): Promise<void> {
    if (compareDates(date, today) > 0) throw ProblemException.invalidField(field, 'must not be in the future');
    const [{ last }] = (await manager.query(`SELECT max(effective_on) AS last FROM pupil_history WHERE pupil_id = $1`, [pupil.id])) as {
      last: string | null;
    }[];
    if (last && compareDates(date, last) < 0) {
      throw ProblemException.invalidField(field, `must not be before ${last}, the date of the pupil’s last recorded change`);
    }
    if (compareDates(date, pupil.dateOfBirth) <= 0) throw ProblemException.invalidField(field, 'must be after the date of birth');
  }

  /** Appends a dated history row for each entry whose value changes. */
  private async writeHistory(manager: EntityManager, caller: Caller, pupilId: string, effectiveOn: CalendarDate, entries: HistoryEntry[]): Promise<void> {
    const rows = entries
      .filter((entry) => entry.from !== entry.to)
      .map((entry) => ({ pupilId, field: entry.field, fromValue: entry.from, toValue: entry.to, effectiveOn, changedBy: caller.userId }));
    if (rows.length) await manager.insert(PupilHistory, rows);
  }

  // --- views ---------------------------------------------------------------------------------

  private viewFor(scope: ScopeFilter, pupil: PupilViewSource, today: CalendarDate): PupilView | PupilMinimalView {
    return PupilsService.minimalFor(scope) ? this.minimalView(pupil, today) : this.view(pupil, today);
  }

  private view(pupil: PupilViewSource, today: CalendarDate): PupilView {
    const school = pupil.school as NonNullable<PupilViewSource['school']>;
    return {
      id: pupil.id,
      upn: pupil.upn,
      firstName: pupil.firstName,
      lastName: pupil.lastName,
      dateOfBirth: pupil.dateOfBirth,
      schoolId: pupil.schoolId,
      schoolName: school.name,
      localityId: school.localityId,
      yearGroup: yearGroupFromBirth(pupil.dateOfBirth, today) + pupil.yearOffset,
      senStatus: pupil.senStatus,
      primaryNeed: pupil.primaryNeed,
      secondaryNeed: pupil.secondaryNeed,
      leftOn: pupil.leftOn,
      leaveReason: pupil.leaveReason,
      version: pupil.version,
    };
  }

  /** API.md's minimal view: only these fields of the full one, never history or plans. */
  private minimalView(pupil: PupilViewSource, today: CalendarDate): PupilMinimalView {
    const full = this.view(pupil, today);
    return Object.fromEntries(PUPIL_MINIMAL_VIEW_COLUMNS.map((field) => [field, full[field]])) as unknown as PupilMinimalView;
  }
}

/**
 * An erased record (data protection) keeps ERASED names and a date of birth cut to its month
 * (pupil_erased_names): a change to them would bring back what the erasure took, so it is refused
 * with a 409 that says why, before the database's check constraint could answer it as a bad field.
 */
function assertKeepsErasure(pupil: Pupil, dto: UpdatePupilDto): void {
  const identity = (['firstName', 'lastName', 'dateOfBirth'] as const).filter((field) => dto[field] !== undefined && dto[field] !== pupil[field]);
  if (identity.length === 0) return;
  throw new ProblemException(
    'invalid-transition',
    `this pupil's record was erased on ${pupil.erasedOn} (data protection): its ${identity.join(', ')} cannot be changed`,
    undefined,
    { erasedOn: pupil.erasedOn, fields: identity },
  );
}
