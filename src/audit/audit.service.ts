import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { type Actor, type Caller, isCaller } from '../access/caller';
import { scopeFor } from '../access/policy';
import { applyScope, type ScopeFilter } from '../access/scope-filter';
import { Page, paginate } from '../common/pagination/paginate';
import { AuditEvent } from './audit-event.entity';
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
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<void> {
    const caller = isCaller(actor) ? actor : undefined;
    const place = entry.place ?? {};
    await manager.query(
      `INSERT INTO audit_event (actor_id, actor_email, actor_role, action, entity_type, entity_id, changed_fields,
         outcome, request_id, ip, school_id, locality_id, area, organisation_id, pupil_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
         COALESCE($12::uuid, (SELECT locality_id FROM school WHERE id = $11::uuid)),
         COALESCE($13, (SELECT area FROM locality WHERE id = COALESCE($12::uuid, (SELECT locality_id FROM school WHERE id = $11::uuid)))),
         $14, $15)`,
      [
        caller?.userId ?? null,
        caller?.email ?? entry.attemptedEmail ?? null,
        caller?.role ?? (isCaller(actor) ? null : `SYSTEM:${actor.system}`),
        entry.action,
        entry.entityType,
        entry.entityId ?? null,
        entry.changedFields ?? [],
        entry.outcome ?? 'SUCCESS',
        caller?.requestId ?? null,
        caller?.ip ?? null,
        place.schoolId ?? null,
        place.localityId ?? null,
        place.area ?? null,
        place.organisationId ?? null,
        place.pupilId ?? null,
      ],
    );
  }

  async list(caller: Caller, scope: ScopeFilter, query: AuditQueryDto): Promise<Page<AuditEventView>> {
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
