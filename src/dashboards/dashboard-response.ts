import type { FastifyReply, FastifyRequest } from 'fastify';
import { toCsv, wantsCsv } from '../common/csv/csv';

/**
 * Answers a dashboard as JSON `{data, ...}` or, when asked (`Accept: text/csv` or `?format=csv`),
 * as CSV of its rows with a header row of the JSON field names (API.md). The window a dashboard
 * was computed over travels in the JSON body and, for CSV, in X-Dashboard-* headers.
 */
export function sendDashboard<T extends object, B extends { data: T[]; from?: string; to?: string; asOf?: string }>(
  request: FastifyRequest,
  reply: FastifyReply,
  body: B,
  columns: readonly (keyof T & string)[],
  format?: string,
): B | string {
  if (!wantsCsv(request, format)) return body;
  void reply.header('content-type', 'text/csv; charset=utf-8');
  for (const key of ['from', 'to', 'asOf'] as const) if (body[key]) void reply.header(`x-dashboard-${key.toLowerCase()}`, body[key]);
  return toCsv(columns, body.data);
}
