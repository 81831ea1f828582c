import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Caller } from '../access/caller';
import { AuditService, changedFields } from '../audit/audit.service';
import { Page, paginate } from '../common/pagination/paginate';
import { escapeLike } from '../common/sql/escape-like';
import { ProblemException } from '../common/problem/problem.exception';
import { CreateOrganisationDto, OrganisationQueryDto, OrganisationView } from './dto/organisation.dto';
import { Organisation } from './organisation.entity';

@Injectable()
export class OrganisationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: OrganisationQueryDto): Promise<Page<OrganisationView>> {
    const qb = this.dataSource.getRepository(Organisation).createQueryBuilder('organisation');
    if (query.kind) qb.andWhere('organisation.kind = :kind', { kind: query.kind });
    if (query.q) {
      qb.andWhere('lower(organisation.name) LIKE :prefix', { prefix: `${escapeLike(query.q.toLowerCase())}%` });
    }
    const page = await paginate(qb, query, {
      sortable: { name: 'organisation.name' },
      defaultSort: 'name',
      idColumn: 'organisation.id',
    });
    return { data: page.data.map(OrganisationView.of), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<OrganisationView> {
    const organisation = await this.dataSource.getRepository(Organisation).findOneBy({ id });
    if (!organisation) throw ProblemException.notFound('organisation');
    return OrganisationView.of(organisation);
  }

  /** A name already used (ignoring case) is a 409 duplicate from the unique index. */
  async create(caller: Caller, dto: CreateOrganisationDto): Promise<OrganisationView> {
    return this.dataSource.transaction(async (manager) => {
      const organisation = await manager.save(manager.create(Organisation, dto));
      await this.audit.record(manager, caller, {
        action: 'organisation.create',
        entityType: 'organisation',
        entityId: organisation.id,
        // The fields set: every field that differs from nothing.
        changedFields: changedFields({}, dto),
        place: { organisationId: organisation.id },
      });
      return OrganisationView.of(organisation);
    });
  }
}
