import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { AuditService, changedFields } from '../audit/audit.service';
import { assertVersion } from '../common/concurrency/expected-version';
import { Page, paginate } from '../common/pagination/paginate';
import { escapeLike } from '../common/sql/escape-like';
import { ProblemException } from '../common/problem/problem.exception';
import {
  CatalogueServiceQueryDto,
  CatalogueServiceView,
  CreateCatalogueServiceDto,
  UpdateCatalogueServiceDto,
} from './dto/catalogue-service.dto';
import { Organisation } from './organisation.entity';
import { CatalogueService } from './service.entity';

@Injectable()
export class CatalogueServicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: CatalogueServiceQueryDto): Promise<Page<CatalogueServiceView>> {
    const qb = this.dataSource.getRepository(CatalogueService).createQueryBuilder('service');
    if (query.organisationId) qb.andWhere('service.organisationId = :organisationId', { organisationId: query.organisationId });
    if (query.unit) qb.andWhere('service.unit = :unit', { unit: query.unit });
    if (query.q) {
      qb.andWhere('(lower(service.code) LIKE :prefix OR lower(service.name) LIKE :prefix)', {
        prefix: `${escapeLike(query.q.toLowerCase())}%`,
      });
    }
    const page = await paginate(qb, query, {
      sortable: { code: 'service.code', name: 'service.name' },
      defaultSort: 'code',
      idColumn: 'service.id',
    });
    return { data: page.data.map(CatalogueServiceView.of), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<CatalogueServiceView> {
    const service = await this.dataSource.getRepository(CatalogueService).findOneBy({ id });
    if (!service) throw ProblemException.notFound('service');
    return CatalogueServiceView.of(service);
  }

  /** A code already in use is a 409 duplicate from the unique constraint. */
  async create(caller: Caller, dto: CreateCatalogueServiceDto): Promise<CatalogueServiceView> {
    return this.dataSource.transaction(async (manager) => {
      await this.assertOrganisationExists(manager, dto.organisationId);
      const service = await manager.save(manager.create(CatalogueService, { ...dto, deliveryStartWeeks: dto.deliveryStartWeeks ?? null }));
      await this.audit.record(manager, caller, {
        action: 'service.create',
        entityType: 'service',
        entityId: service.id,
        // The fields set: every field that differs from nothing (an absent override is not set).
        changedFields: changedFields({}, dto),
        place: { organisationId: service.organisationId },
      });
      return CatalogueServiceView.of(service);
    });
  }

  /**
   * Code and unit never change (the DTO does not accept them); null deliveryStartWeeks removes the override.
   * A PATCH that changes nothing writes nothing: no new version, no audit row.
   */
  async update(caller: Caller, id: string, version: number, dto: UpdateCatalogueServiceDto): Promise<CatalogueServiceView> {
    return this.dataSource.transaction(async (manager) => {
      const service = await manager.findOne(CatalogueService, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!service) throw ProblemException.notFound('service');
      assertVersion('service', service.version, version);
      const { version: _ignored, ...changes } = dto;
      const changed = changedFields(service, changes);
      if (changed.length === 0) return CatalogueServiceView.of(service);
      if (changed.includes('organisationId')) {
        await this.assertOrganisationExists(manager, changes.organisationId as string);
      }
      const saved = await manager.save(manager.merge<CatalogueService>(CatalogueService, service, changes));
      await this.audit.record(manager, caller, {
        action: 'service.update',
        entityType: 'service',
        entityId: saved.id,
        changedFields: changed,
        place: { organisationId: saved.organisationId },
      });
      return CatalogueServiceView.of(saved);
    });
  }

  /** An id in a body that does not exist is a 400 on that field (API.md), checked in the write's transaction. */
  private async assertOrganisationExists(manager: EntityManager, organisationId: string): Promise<void> {
    if (!(await manager.exists(Organisation, { where: { id: organisationId } }))) {
      throw ProblemException.invalidField('organisationId', 'unknown organisation');
    }
  }
}
