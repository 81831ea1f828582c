import type { OpenAPIObject } from '@nestjs/swagger';

type Parameter = { name: string; in: string; schema?: Record<string, unknown>; required?: boolean; description?: string };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: unknown }> } };

/**
 * Documents, in one place, the conventions every route follows but no decorator states: path ids
 * are UUIDs (UuidPipe), a PATCH may carry the version it read as If-Match (API.md), and a text/csv
 * request body is a raw file.
 */
export function documentConventions(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      if (typeof operation !== 'object' || operation === null) continue;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path' && (parameter.name === 'id' || parameter.name.endsWith('Id'))) {
          parameter.schema = { ...(parameter.schema ?? {}), type: 'string', format: 'uuid' };
        }
      }
      // A text/csv body is the file itself (the imports), whatever schema its multipart twin has.
      const csvBody = operation.requestBody?.content?.['text/csv'];
      if (csvBody) csvBody.schema = { type: 'string', format: 'binary', description: 'The CSV file, header row first' };
      if (method === 'patch' && !(operation.parameters ?? []).some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match')) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            description: 'The version you read, e.g. "3" (or send `version` in the body); a stale one is 409',
            schema: { type: 'string', example: '"3"' },
          },
        ];
      }
    }
  }
  return document;
}
