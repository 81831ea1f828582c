import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { AuditService, changedFields } from '../audit/audit.service';
import { assertVersion } from '../common/concurrency/expected-version';
import { Page, paginate } from '../common/pagination/paginate';
import { escapeLike } from '../common/sql/escape-like';
import { ProblemException } from '../common/problem/problem.exception';
import { CreateSchoolDto, SchoolQueryDto, SchoolView, UpdateSchoolDto, URN_PATTERN } from './dto/school.dto';
import { Locality } from './locality.entity';
import { School } from './school.entity';

@Injectable()
export class SchoolsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: SchoolQueryDto): Promise<Page<SchoolView>> {
    const qb = this.dataSource.getRepository(School).createQueryBuilder('school');
    if (query.localityId) qb.andWhere('school.localityId = :localityId', { localityId: query.localityId });
    if (query.phase) qb.andWhere('school.phase = :phase', { phase: query.phase });
    if (query.kind) qb.andWhere('school.kind = :kind', { kind: query.kind });
    if (query.q) {
      if (URN_PATTERN.test(query.q)) {
        qb.andWhere('school.urn = :urn', { urn: query.q });
      } else {
        qb.andWhere('lower(school.name) LIKE :prefix', { prefix: `${escapeLike(query.q.toLowerCase())}%` });
      }
    }
    const page = await paginate(qb, query, {
      sortable: { name: 'school.name', urn: 'school.urn' },
      defaultSort: 'name',
      idColumn: 'school.id',
    });
    return { data: page.data.map(SchoolView.of), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<SchoolView> {
    const school = await this.dataSource.getRepository(School).findOneBy({ id });
    if (!school) throw ProblemException.notFound('school');
    return SchoolView.of(school);
  }

  async create(caller: Caller, dto: CreateSchoolDto): Promise<SchoolView> {
    return this.dataSource.transaction(async (manager) => {
      await this.assertLocalityExists(manager, dto.localityId);
      const school = await manager.save(manager.create(School, dto));
      await this.audit.record(manager, caller, {
        action: 'school.create',
        entityType: 'school',
        entityId: school.id,
        // The fields set: every field that differs from nothing.
        changedFields: changedFields({}, dto),
        place: { schoolId: school.id },
      });
      return SchoolView.of(school);
    });
  }

  /** A PATCH that changes nothing writes nothing: no new version, no audit row. */
  async update(caller: Caller, id: string, version: number, dto: UpdateSchoolDto): Promise<SchoolView> {
    return this.dataSource.transaction(async (manager) => {
      const school = await manager.findOne(School, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!school) throw ProblemException.notFound('school');
      assertVersion('school', school.version, version);
      const { version: _ignored, ...changes } = dto;
      const changed = changedFields(school, changes);
      if (changed.length === 0) return SchoolView.of(school);
      if (changed.includes('localityId')) {
        await this.assertLocalityExists(manager, changes.localityId as string);
      }
      const saved = await manager.save(manager.merge<School>(School, school, changes));
      // After the save, so the trail places a moved school in its new locality.
      await this.audit.record(manager, caller, {
        action: 'school.update',
        entityType: 'school',
        entityId: saved.id,
        changedFields: changed,
        place: { schoolId: saved.id },
      });
      return SchoolView.of(saved);
    });
  }

  /** An id in a body that does not exist is a 400 on that field (API.md), checked in the write's transaction. */
  private async assertLocalityExists(manager: EntityManager, localityId: string): Promise<void> {
    if (!(await manager.exists(Locality, { where: { id: localityId } }))) {
      throw ProblemException.invalidField('localityId', 'unknown locality');
    }
  }
}
