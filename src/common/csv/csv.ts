import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Page } from '../pagination/paginate';

/**
 * RFC 4180 CSV with a header row of the JSON field names (API.md). Cells that a spreadsheet would
 * run as a formula (=, +, -, @, tab, CR) are prefixed with an apostrophe (OWASP CSV injection).
 */
export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.join(';') : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `?format=csv` or an Accept header that prefers text/csv. */
export function wantsCsv(request: FastifyRequest, format?: string): boolean {
  if (format) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /(^|,)\s*text\/csv/.test(accept) && !/(^|,)\s*application\/json/.test(accept);
}

/**
 * Answers a list as JSON `{data, nextCursor}` or, when asked, as CSV of the same page with the
 * next cursor in the X-Next-Cursor header.
 */
export function sendList<T extends object>(
  request: FastifyRequest,
  reply: FastifyReply,
  page: Page<T>,
  columns: readonly (keyof T & string)[],
  format?: string,
): Page<T> | string {
  if (!wantsCsv(request, format)) return page;
  void reply.header('content-type', 'text/csv; charset=utf-8');
  if (page.nextCursor) void reply.header('x-next-cursor', page.nextCursor);
  return toCsv(columns, page.data);
}
