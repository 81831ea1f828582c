import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Caller } from '../access/caller';
import { AuditService, changedFields } from '../audit/audit.service';
import { assertVersion } from '../common/concurrency/expected-version';
import { Page, paginate } from '../common/pagination/paginate';
import { escapeLike } from '../common/sql/escape-like';
import { ProblemException } from '../common/problem/problem.exception';
import { CreateLocalityDto, LocalityQueryDto, LocalityView, UpdateLocalityDto } from './dto/locality.dto';
import { Locality } from './locality.entity';

@Injectable()
export class LocalitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: LocalityQueryDto): Promise<Page<LocalityView>> {
    const qb = this.dataSource.getRepository(Locality).createQueryBuilder('locality');
    if (query.area) qb.andWhere('locality.area = :area', { area: query.area });
    if (query.district) qb.andWhere('locality.district = :district', { district: query.district });
    if (query.q) {
      qb.andWhere('(lower(locality.name) LIKE :prefix OR lower(locality.code) LIKE :prefix)', {
        prefix: `${escapeLike(query.q.toLowerCase())}%`,
      });
    }
    const page = await paginate(qb, query, {
      sortable: { code: 'locality.code', name: 'locality.name' },
      defaultSort: 'name',
      idColumn: 'locality.id',
    });
    return { data: page.data.map(LocalityView.of), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<LocalityView> {
    const locality = await this.dataSource.getRepository(Locality).findOneBy({ id });
    if (!locality) throw ProblemException.notFound('locality');
    return LocalityView.of(locality);
  }

  async create(caller: Caller, dto: CreateLocalityDto): Promise<LocalityView> {
    return this.dataSource.transaction(async (manager) => {
      const locality = await manager.save(manager.create(Locality, dto));
      await this.audit.record(manager, caller, {
        action: 'locality.create',
        entityType: 'locality',
        entityId: locality.id,
        // The fields set: every field that differs from nothing.
        changedFields: changedFields({}, dto),
        place: { localityId: locality.id },
      });
      return LocalityView.of(locality);
    });
  }

  /** A PATCH that changes nothing writes nothing: no new version, no audit row. */
  async update(caller: Caller, id: string, version: number, dto: UpdateLocalityDto): Promise<LocalityView> {
    return this.dataSource.transaction(async (manager) => {
      const locality = await manager.findOne(Locality, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locality) throw ProblemException.notFound('locality');
      assertVersion('locality', locality.version, version);
      const { version: _ignored, ...changes } = dto;
      const changed = changedFields(locality, changes);
      if (changed.length === 0) return LocalityView.of(locality);
      const saved = await manager.save(Object.assign(locality, changes));
      await this.audit.record(manager, caller, {
        action: 'locality.update',
        entityType: 'locality',
        entityId: saved.id,
        changedFields: changed,
        place: { localityId: saved.id },
      });
      return LocalityView.of(saved);
    });
  }
}
