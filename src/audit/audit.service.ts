import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor, Caller } from '../access/caller';
import { scopeFor } from '../access/policy';
import { applyScope, type ScopeFilter } from '../access/scope-filter';
import { Page, paginate } from '../common/pagination/paginate';
import { AccessLogWriter } from './access-log-writer';
import { AuditEvent } from './audit-event.entity';
import { AUDIT_COLUMNS, auditRowParams, auditRowSql } from './audit-row';
import { AuditEventView, AuditQueryDto } from './dto/audit-event.dto';

/** Entity types of the security log: sign-ins and accounts. */
export const SECURITY_ENTITY_TYPES = ['auth', 'user'];

/** Where the audited record sits, so scoped readers (a locality manager) see only theirs. */
export interface AuditPlace {
  schoolId?: string | null;
  localityId?: string | null;
  area?: string | null;
  organisationId?: string | null;
  /** The child the record is about: every read and change of it shows in their access log. */
  pupilId?: string | null;
}

export interface AuditEntry {
  /** What happened, as `<entity>.<verb>`: 'school.create', 'user.reset-password', 'auth.login'. */
  action: string;
  entityType: string;
  entityId?: string | null;
  /** Names of the fields changed; never their values. */
  changedFields?: string[];
  outcome?: 'SUCCESS' | 'FAILURE';
  place?: AuditPlace;
  /** For a sign-in attempt with no known account: the address tried. */
  attemptedEmail?: string;
}

/** Field names whose values differ between two snapshots of a record. */
export function changedFields<T extends object>(before: T, after: Partial<T>): string[] {
  return (Object.keys(after) as (keyof T)[])
    .filter((key) => after[key] !== undefined && !sameValue(before[key], after[key]))
    .map(String)
    .sort();
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The audit trail. `record` takes the EntityManager of the use case's transaction, so a change
 * and its audit row commit or roll back together (and the embedded database never sees a second
 * connection inside a transaction).
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: AccessLogWriter,
  ) {}

  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<void> {
    await manager.query(`INSERT INTO audit_event (${AUDIT_COLUMNS}) VALUES ${auditRowSql(0)}`, auditRowParams(actor, entry));
  }

  async list(caller: Caller, scope: ScopeFilter, query: AuditQueryDto): Promise<Page<AuditEventView>> {
    await this.accessLog.flush();
    const qb = this.dataSource.getRepository(AuditEvent).createQueryBuilder('event');
    applyScope(qb, scope, { localityId: 'event.locality_id', area: 'event.area', schoolId: 'event.school_id' });
    if (!scopeFor(caller.role, 'audit.security-log')) {
      qb.andWhere('event.entity_type NOT IN (:...securityTypes)', { securityTypes: SECURITY_ENTITY_TYPES });
    }
    if (query.entityType) qb.andWhere('event.entity_type = :entityType', { entityType: query.entityType });
    if (query.entityId) qb.andWhere('event.entity_id = :entityId', { entityId: query.entityId });
    if (query.actorId) qb.andWhere('event.actor_id = :actorId', { actorId: query.actorId });
    if (query.action) qb.andWhere('event.action = :action', { action: query.action });
    if (query.from) qb.andWhere('event.at >= :from', { from: query.from });
    if (query.to) qb.andWhere('event.at < :to', { to: query.to });
    const page = await paginate(qb, { ...query, sort: query.sort ?? '-at' }, {
      sortable: { at: 'event.at' },
      defaultSort: '-at',
      idColumn: 'event.id',
    });
    return { data: page.data.map(AuditEventView.of), nextCursor: page.nextCursor };
  }
}
