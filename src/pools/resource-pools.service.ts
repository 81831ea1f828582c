import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../access/caller';
import { applyScope, type ScopeColumns, type ScopeFilter } from '../access/scope-filter';
import { AuditService, changedFields } from '../audit/audit.service';
import { Page, paginate } from '../common/pagination/paginate';
import { ProblemException } from '../common/problem/problem.exception';
import { Locality } from '../localities/locality.entity';
import { CatalogueService, type ServiceUnit } from '../providers/service.entity';
import { CreateResourcePoolDto, PoolSchoolFiguresView, ResourcePoolQueryDto, ResourcePoolView } from './dto/resource-pool.dto';
import { ResourcePool } from './resource-pool.entity';
import { unitsProblem } from './units';

export { allocateFromPool, releaseToPool, type PoolBalance } from './pool-ledger';

/** A pool's scope columns: its locality, and that locality's area. */
const POOL_SCOPE: ScopeColumns = { localityId: 'pool.locality_id', area: 'locality.area' };

@Injectable()
export class ResourcePoolsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(scope: ScopeFilter, query: ResourcePoolQueryDto): Promise<Page<ResourcePoolView>> {
    const qb = this.scopedPools(this.dataSource.manager, scope);
    if (query.localityId) qb.andWhere('pool.localityId = :localityId', { localityId: query.localityId });
    if (query.serviceCode) qb.andWhere('pool.serviceCode = :serviceCode', { serviceCode: query.serviceCode });
    if (query.activeOn) qb.andWhere(':activeOn::date BETWEEN pool.periodStart AND pool.periodEnd', { activeOn: query.activeOn });
    const page = await paginate(qb, query, {
      sortable: { periodStart: 'pool.periodStart' },
      defaultSort: 'periodStart',
      idColumn: 'pool.id',
    });
    return { data: await this.views(this.dataSource.manager, page.data), nextCursor: page.nextCursor };
  }

  /** Out of the caller's scope reads as not found (API.md). */
  async get(scope: ScopeFilter, id: string): Promise<ResourcePoolView> {
    const pool = await this.scopedPools(this.dataSource.manager, scope).andWhere('pool.id = :id', { id }).getOne();
    if (!pool) throw ProblemException.notFound('resource pool');
    const [view] = await this.views(this.dataSource.manager, [pool]);
    return view;
  }

  /**
   * Every school of the pool's locality (zeros included) with its requests, approvals and units
   * for the pool's service and period, and its units per pupil with SEN: one SQL aggregate. A
   * pool's whole locality fits one page (nextCursor is always null).
   */
  async bySchool(scope: ScopeFilter, id: string): Promise<Page<PoolSchoolFiguresView>> {
    const pool = await this.scopedPools(this.dataSource.manager, scope).andWhere('pool.id = :id', { id }).getOne();
    if (!pool) throw ProblemException.notFound('resource pool');
    const rows: Record<string, string | number | null>[] = await this.dataSource.query(
      `WITH pool AS (
         SELECT id, locality_id, service_code, period_start, period_end FROM resource_pool WHERE id = $1
       ), req AS (
         SELECT r.school_id, count(*) AS requests,
                count(*) FILTER (WHERE r.status IN ('APPROVED', 'PARTIALLY_APPROVED')) AS approvals,
                sum(r.units_requested) AS units_requested
         FROM support_request r JOIN pool ON r.locality_id = pool.locality_id AND r.service_code = pool.service_code
         WHERE r.status <> 'DRAFT' AND r.submitted_on BETWEEN pool.period_start AND pool.period_end
         GROUP BY r.school_id
       ), approved AS (
         SELECT r.school_id, sum(d.units_approved) AS units_approved
         FROM support_request_decision d JOIN support_request r ON r.id = d.request_id
         WHERE d.pool_id = $1 AND d.outcome IN ('APPROVED', 'PARTIAL')
         GROUP BY r.school_id
       ), held AS (
         SELECT a.school_id,
                sum(CASE WHEN a.status IN ('DECLINED', 'CANCELLED') THEN a.units_used ELSE a.units END) AS units_allocated
         FROM allocation a WHERE a.pool_id = $1
         GROUP BY a.school_id
       ), sen AS (
         SELECT p.school_id, count(*) AS sen_pupils
         FROM pupil p JOIN school s ON s.id = p.school_id JOIN pool ON s.locality_id = pool.locality_id
         WHERE p.sen_status IN ('K', 'E') AND p.left_on IS NULL
         GROUP BY p.school_id
       )
       SELECT s.id AS "schoolId", s.name AS "schoolName", s.urn,
              coalesce(req.requests, 0)::int AS requests, coalesce(req.approvals, 0)::int AS approvals,
              coalesce(req.units_requested, 0)::text AS "unitsRequested", coalesce(approved.units_approved, 0)::text AS "unitsApproved",
              coalesce(held.units_allocated, 0)::text AS "unitsAllocated", coalesce(sen.sen_pupils, 0)::int AS "senPupils",
              CASE WHEN coalesce(sen.sen_pupils, 0) = 0 THEN NULL
                   ELSE round(coalesce(held.units_allocated, 0) / sen.sen_pupils, 2)::text END AS "unitsPerSenPupil"
       FROM school s JOIN pool ON s.locality_id = pool.locality_id
       LEFT JOIN req ON req.school_id = s.id
       LEFT JOIN approved ON approved.school_id = s.id
       LEFT JOIN held ON held.school_id = s.id
       LEFT JOIN sen ON sen.school_id = s.id
       ORDER BY s.name, s.id`,
      [pool.id],
    );
    const num = (v: string | number | null) => (v === null ? null : Number(v));
    return {
      data: rows.map((r) => ({
        schoolId: r.schoolId as string,
        schoolName: r.schoolName as string,
        urn: r.urn as string,
        requests: Number(r.requests),
        approvals: Number(r.approvals),
        unitsRequested: Number(r.unitsRequested),
        unitsApproved: Number(r.unitsApproved),
        unitsAllocated: Number(r.unitsAllocated),
        senPupils: Number(r.senPupils),
        unitsPerSenPupil: num(r.unitsPerSenPupil),
      })),
      nextCursor: null,
    };
  }

  /**
   * A new pool. Periods of one locality and service must not overlap: checked here, after
   * locking the locality row, so concurrent creations for a locality queue and the check cannot
   * race (no EXCLUDE constraint: it would need btree_gist). An overlap is a 409
   * /problems/duplicate naming periodStart and periodEnd, with the pool it overlaps
   * (`overlappingPoolId`): the request is well formed but clashes with a stored record, as a
   * unique violation does (the database's backstop, on the same start date, answers the same).
   */
  async create(caller: Caller, scope: ScopeFilter, dto: CreateResourcePoolDto): Promise<ResourcePoolView> {
    if (dto.periodEnd <= dto.periodStart) throw ProblemException.invalidField('periodEnd', 'must be after periodStart');
    return this.dataSource.transaction(async (manager) => {
      await this.lockLocalityInScope(manager, scope, dto.localityId);
      const service = await manager.findOneBy(CatalogueService, { code: dto.serviceCode });
      if (!service) throw ProblemException.invalidField('serviceCode', 'unknown service');
      const problem = unitsProblem(service.unit, dto.capacityUnits);
      if (problem) throw ProblemException.invalidField('capacityUnits', problem);

      const [overlapping] = await manager.query(
        `SELECT id, period_start, period_end FROM resource_pool
         WHERE locality_id = $1 AND service_code = $2 AND period_start <= $4::date AND period_end >= $3::date
         ORDER BY period_start LIMIT 1`,
        [dto.localityId, dto.serviceCode, dto.periodStart, dto.periodEnd],
      );
      if (overlapping) {
        const message = `overlaps the pool for ${overlapping.period_start} to ${overlapping.period_end}`;
        throw new ProblemException(
          'duplicate',
          `the period ${message} of this locality and service`,
          [
            { field: 'periodStart', message },
            { field: 'periodEnd', message },
          ],
          { overlappingPoolId: overlapping.id },
        );
      }

      const pool = await manager.save(manager.create(ResourcePool, { ...dto, allocatedUnits: 0, createdBy: caller.userId }));
      await this.audit.record(manager, caller, {
        action: 'resource-pool.create',
        entityType: 'resource-pool',
        entityId: pool.id,
        changedFields: changedFields({}, dto),
        place: { localityId: pool.localityId },
      });
      return ResourcePoolView.of(pool, service.unit);
    });
  }

  private scopedPools(manager: EntityManager, scope: ScopeFilter): SelectQueryBuilder<ResourcePool> {
    const qb = manager.getRepository(ResourcePool).createQueryBuilder('pool').innerJoin(Locality, 'locality', 'locality.id = pool.locality_id');
    return applyScope(qb, scope, POOL_SCOPE);
  }

  /**
   * The locality, locked FOR UPDATE, if the caller's scope reaches it. An id in a body outside
   * the caller's scope is a 400 on that field, as an unknown one is (API.md).
   */
  private async lockLocalityInScope(manager: EntityManager, scope: ScopeFilter, localityId: string): Promise<void> {
    const qb = manager.getRepository(Locality).createQueryBuilder('locality').where('locality.id = :localityId', { localityId });
    applyScope(qb, scope, { localityId: 'locality.id', area: 'locality.area' });
    const locality = await qb.setLock('pessimistic_write').getOne();
    if (!locality) throw ProblemException.invalidField('localityId', 'unknown locality');
  }

  private async views(manager: EntityManager, pools: ResourcePool[]): Promise<ResourcePoolView[]> {
    if (pools.length === 0) return [];
    const codes = [...new Set(pools.map((p) => p.serviceCode))];
    const services = await manager.getRepository(CatalogueService).createQueryBuilder('service').where('service.code IN (:...codes)', { codes }).getMany();
    const units = new Map<string, ServiceUnit>(services.map((s) => [s.code, s.unit]));
    return pools.map((pool) => ResourcePoolView.of(pool, units.get(pool.serviceCode)!));
  }
}
