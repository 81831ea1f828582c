import { ProblemException } from '../problem/problem.exception';
import { isUuid } from '../validation/uuid.pipe';

/** What a cursor carries: the sort it was made for and the last row's sort key and id. */
export interface CursorPosition {
  sort: string;
  key: string | number;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.key, position.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor made for `sort`; anything else is a 400 on `cursor`, never a 500. */
export function decodeCursor(cursor: string, sort: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    !(typeof parsed[1] === 'string' || typeof parsed[1] === 'number') ||
    typeof parsed[2] !== 'string' ||
    // The canonical 8-4-4-4-12 form only: a looser id reaches the uuid column and fails there (22P02, a 500).
    !isUuid(parsed[2])
  ) {
    throw ProblemException.invalidField('cursor', 'is not a cursor this API gave out');
  }
  if (parsed[0] !== sort) {
    throw ProblemException.invalidField('cursor', `was made for sort "${parsed[0]}"; send the same sort or start again without a cursor`);
  }
  return { sort: parsed[0], key: parsed[1], id: parsed[2] };
}

export interface SortOrder {
  field: string;
  descending: boolean;
}

/** "-name" -> {field: name, descending: true}; the field must be one the list offers. */
export function parseSort(sort: string | undefined, allowed: readonly string[], fallback: string): SortOrder {
  const raw = sort ?? fallback;
  const descending = raw.startsWith('-');
  const field = descending ? raw.slice(1) : raw;
  if (!allowed.includes(field)) {
    throw ProblemException.invalidField('sort', `must be one of ${allowed.map((f) => `${f}, -${f}`).join(', ')}`);
  }
  return { field, descending };
}
