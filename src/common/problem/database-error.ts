import { FieldError } from './problem-type';
import { ProblemException } from './problem.exception';

/** PostgreSQL SQLSTATE codes the API maps to client problems. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const CHECK_VIOLATION = '23514';
const NOT_NULL_VIOLATION = '23502';
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

interface PgErrorLike {
  code?: string;
  detail?: string;
  column?: string;
  table?: string;
  constraint?: string;
}

function camelCase(column: string): string {
  return column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** "Key (lower(email::text))=(x)" or "Key (locality_id)=(...)" -> ["email"] / ["localityId"]. */
function keyFields(detail: string | undefined): string[] {
  const match = /^Key \((.+?)\)=/.exec(detail ?? '');
  if (!match) return [];
  return match[1]
    .split(',')
    .map((part) => part.trim().replace(/^\w+\(/, '').replace(/(::\w+)?\)*$/, ''))
    .map(camelCase);
}

/** The referenced table in 'is not present in table "locality".' */
function referencedTable(detail: string | undefined): string | undefined {
  return /is not present in table "([^"]+)"/.exec(detail ?? '')?.[1]?.replace(/_/g, ' ');
}

/**
 * Turns a constraint violation that reached the database into the problem a client should see;
 * undefined for errors that are ours (they become 500s). The database is the last guard of
 * every rule (ARCHITECTURE.md idea 3), so these paths are real, not theoretical.
 */
export function problemFromDatabaseError(error: unknown): ProblemException | undefined {
  const pg = ((error as { driverError?: PgErrorLike })?.driverError ?? error) as PgErrorLike;
  switch (pg?.code) {
    case UNIQUE_VIOLATION: {
      const fields = keyFields(pg.detail);
      const errors: FieldError[] = (fields.length ? fields : ['id']).map((field) => ({
        field,
        message: 'is already in use',
      }));
      return ProblemException.duplicate(errors);
    }
    case FOREIGN_KEY_VIOLATION: {
      const [field] = keyFields(pg.detail);
      const table = referencedTable(pg.detail);
      // A delete blocked by references is a state problem, not a bad field.
      if (/is still referenced/.test(pg.detail ?? '')) {
        return new ProblemException('invalid-transition', `this ${pg.table?.replace(/_/g, ' ') ?? 'record'} is still in use`);
      }
      return ProblemException.invalidField(field ?? 'id', `unknown ${table ?? 'reference'}`);
    }
    case CHECK_VIOLATION:
      return ProblemException.validation([
        { field: pg.column ? camelCase(pg.column) : 'body', message: `breaks the rule ${pg.constraint ?? 'of this record'}` },
      ]);
    case NOT_NULL_VIOLATION:
      return ProblemException.invalidField(pg.column ? camelCase(pg.column) : 'body', 'is required');
    case SERIALIZATION_FAILURE:
    case DEADLOCK_DETECTED:
    case LOCK_NOT_AVAILABLE:
      return new ProblemException('stale-version', 'the record was being changed at the same moment; try again');
    case QUERY_CANCELED:
      return new ProblemException('unavailable', 'the database took too long to answer; try again shortly');
    default:
      // Class 22 (data exception): a value of the wrong form reached SQL, e.g. a crafted cursor key.
      if (pg?.code?.startsWith('22')) {
        return ProblemException.invalidField(pg.column ? camelCase(pg.column) : 'request', 'holds a value of the wrong form');
      }
      return undefined;
  }
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08006', '08001', '08003', '53300']);

/** True when the database is unreachable or refusing work: the answer is 503, not 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const err = error as { code?: string; message?: string; driverError?: { code?: string } };
  const code = err?.driverError?.code ?? err?.code;
  if (code && CONNECTION_ERROR_CODES.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Query read timeout/i.test(
    err?.message ?? '',
  );
}
