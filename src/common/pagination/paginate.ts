import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DEFAULT_PAGE_SIZE, PageQueryDto } from './page-query.dto';
import { decodeCursor, encodeCursor, parseSort } from './keyset-cursor';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface KeysetOptions<T> {
  /** API field name -> SQL expression of a NOT NULL column, e.g. { name: 'school.name' }. */
  sortable: Record<string, string>;
  defaultSort: string;
  /** SQL expression of the unique tie-breaker, e.g. 'school.id'. */
  idColumn: string;
  /** Reads a row's value of a sort field for the next cursor. */
  keyOf?: (row: T, field: string) => string | number;
  /** Rows are the query's raw selection (aliases named as API fields), not entities. */
  raw?: boolean;
  /** The row field holding the tie-breaker's value, when it is not `id` (e.g. 'deadlineId'). */
  idField?: string;
  /**
   * Sort fields whose column runs the other way, e.g. daysOverdue (asOf - dueOn) sorted on
   * due_on: `-daysOverdue` orders due_on ascending, so an index on the plain column still serves.
   * Give keyOf so the cursor carries the column's value.
   */
  inverted?: readonly string[];
}

function defaultKey<T>(row: T, field: string): string | number {
  const value = (row as Record<string, unknown>)[field];
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string') return value;
  return String(value);
}

/**
 * The one keyset pagination: orders by (sort key, id) and continues strictly after the cursor's
 * row, so deep pages cost the same as the first (given an index on the pair).
 */
export function paginate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, page: PageQueryDto, options: KeysetOptions<T>): Promise<Page<T>>;
export function paginate<T extends ObjectLiteral>(
  query: SelectQueryBuilder<ObjectLiteral>,
  page: PageQueryDto,
  options: KeysetOptions<T> & { raw: true },
): Promise<Page<T>>;
export async function paginate<T extends ObjectLiteral>(
  query: SelectQueryBuilder<ObjectLiteral>,
  page: PageQueryDto,
  options: KeysetOptions<T>,
): Promise<Page<T>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const order = parseSort(page.sort, Object.keys(options.sortable), options.defaultSort);
  const sortKey = `${order.descending ? '-' : ''}${order.field}`;
  const column = options.sortable[order.field];
  const descending = order.descending !== (options.inverted?.includes(order.field) ?? false);
  const direction = descending ? 'DESC' : 'ASC';

  if (page.cursor) {
    const after = decodeCursor(page.cursor, sortKey);
    query.andWhere(`(${column}, ${options.idColumn}) ${descending ? '<' : '>'} (:cursorKey, :cursorId)`, {
      cursorKey: after.key,
      cursorId: after.id,
    });
  }
  query.orderBy(column, direction).addOrderBy(options.idColumn, direction).limit(limit + 1);

  const rows = (options.raw ? await query.getRawMany() : await query.getMany()) as T[];
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  const keyOf = options.keyOf ?? defaultKey;
  return {
    data,
    nextCursor: hasMore && last ? encodeCursor({ sort: sortKey, key: keyOf(last, order.field), id: String(last[options.idField ?? 'id']) }) : null,
  };
}
