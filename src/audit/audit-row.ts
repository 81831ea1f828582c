import { type Actor, isCaller } from '../access/caller';
import type { AuditEntry } from './audit.service';

/** The columns an audit row is written with (`at` is the database's clock_timestamp() unless given). */
export const AUDIT_COLUMNS =
  'at, actor_id, actor_email, actor_role, action, entity_type, entity_id, changed_fields, outcome, request_id, ip, school_id, locality_id, area, organisation_id, pupil_id';
/** How many parameters one auditRowSql row takes. */
export const AUDIT_ROW_PARAMS = 16;

/**
 * One row of VALUES for AUDIT_COLUMNS, its parameters numbered from `offset + 1` (auditRowParams'
 * order). The locality and area come from the school when not given, so a scoped reader finds it.
 */
export function auditRowSql(offset: number): string {
  const p = (n: number) => `$${offset + n}`;
  return `(COALESCE(${p(1)}::timestamptz, clock_timestamp()), ${p(2)}::uuid, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}::uuid, ${p(8)}::text[], ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)}::uuid,
    COALESCE(${p(13)}::uuid, (SELECT locality_id FROM school WHERE id = ${p(12)}::uuid)),
    COALESCE(${p(14)}, (SELECT area FROM locality WHERE id = COALESCE(${p(13)}::uuid, (SELECT locality_id FROM school WHERE id = ${p(12)}::uuid)))),
    ${p(15)}::uuid, ${p(16)}::uuid)`;
}

/** The parameters of auditRowSql: `at` null for the database's clock at the insert. */
export function auditRowParams(actor: Actor, entry: AuditEntry, at: Date | null = null): unknown[] {
  const caller = isCaller(actor) ? actor : undefined;
  const place = entry.place ?? {};
  return [
    at,
    caller?.userId ?? null,
    caller?.email ?? entry.attemptedEmail ?? null,
    caller?.role ?? (isCaller(actor) ? null : `SYSTEM:${actor.system}`),
    entry.action,
    entry.entityType,
    entry.entityId ?? null,
    entry.changedFields ?? [],
    entry.outcome ?? 'SUCCESS',
    actor.requestId ?? null,
    actor.ip ?? null,
    place.schoolId ?? null,
    place.localityId ?? null,
    place.area ?? null,
    place.organisationId ?? null,
    place.pupilId ?? null,
  ];
}

