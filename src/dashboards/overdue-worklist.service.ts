import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ScopeFilter } from '../access/scope-filter';
import { Clock } from '../common/clock/clock';
import { type Page, paginate } from '../common/pagination/paginate';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { readOnReplica } from '../database/read-replica';
import { deadlineExistsAsOfSql, deadlineScopeColumns, deadlinesOpenAsOfSql, deadlineStatusSql, openStatusDueRangeSql } from '../timeliness/deadline-sql';
import { DashboardScopeService } from './dashboard-scope.service';
import { type OverdueWorklistQueryDto, WORKLIST_STATUSES, type WorklistRow } from './dto/overdue-worklist.dto';

/**
 * GET /dashboards/overdue: what needs chasing across every kind of deadline, as of a date: the
 * overdue and due-soon deadlines in the caller's scope with the place names and the case's id,
 * longest overdue first. Status comes from deadline_status like everywhere else. Read on a replica
 * when there is one.
 */
@Injectable()
export class OverdueWorklistService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scopes: DashboardScopeService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  list(scope: ScopeFilter, query: OverdueWorklistQueryDto): Promise<Page<WorklistRow>> {
    return readOnReplica(this.dataSource, (db) => this.listOn(db, scope, query));
  }

  private async listOn(db: EntityManager, scope: ScopeFilter, query: OverdueWorklistQueryDto): Promise<Page<WorklistRow>> {
    const asOf = query.asOf ?? this.clock.today();
    await this.scopes.assertPlaceInScope(db, scope, query);
    const status = deadlineStatusSql('d');
    const statuses = query.status ? [query.status] : [...WORKLIST_STATUSES];
    const qb = db
      .createQueryBuilder()
      .select([
        'd.id AS "deadlineId"', 'd.kind AS kind', 'd.subject_type AS "subjectType"', 'd.subject_id AS "subjectId"',
        'd.pupil_id AS "pupilId"', 'd.school_id AS "schoolId"', 'school.name AS "schoolName"',
        'd.locality_id AS "localityId"', 'locality.name AS "localityName"',
        'd.organisation_id AS "organisationId"', 'organisation.name AS "organisationName"',
        'd.starts_on AS "startsOn"', 'd.due_on AS "dueOn"',
        'GREATEST(:asOf::date - d.due_on, 0) AS "daysOverdue"',
        'GREATEST(d.due_on - :asOf::date, 0) AS "daysUntilDue"',
        `${status} AS status`, 'd.excepted AS excepted',
      ])
      .from(deadlinesOpenAsOfSql(), 'd')
      .leftJoin('locality', 'locality', 'locality.id = d.locality_id')
      .leftJoin('school', 'school', 'school.id = d.school_id')
      .leftJoin('organisation', 'organisation', 'organisation.id = d.organisation_id')
      .where(deadlineExistsAsOfSql('d'))
      .andWhere(`${status} IN (:...statuses)`, { statuses })
      .andWhere(openStatusDueRangeSql(statuses))
      .setParameters({ asOf, dueSoon: this.config.dueSoonDays });
    this.scopes.restrict(qb, scope, query, deadlineScopeColumns('d', 'locality'));
    if (query.kind) qb.andWhere('d.kind = :kind', { kind: query.kind });
    return paginate<WorklistRow>(qb, query, {
      // daysOverdue = asOf - dueOn, so it sorts on due_on the other way round (index-friendly).
      sortable: { daysOverdue: 'd.due_on', dueOn: 'd.due_on' },
      inverted: ['daysOverdue'],
      defaultSort: '-daysOverdue',
      idColumn: 'd.id',
      idField: 'deadlineId',
      keyOf: (row) => row.dueOn,
      raw: true,
    });
  }
}
