import { HttpException } from '@nestjs/common';
import { isDatabaseUnavailable, problemFromDatabaseError } from './database-error';
import { PROBLEM_TYPES, ProblemBody, problemTypeForStatus, problemTypeUri } from './problem-type';
import { ProblemException } from './problem.exception';

export interface ProblemRequest {
  url?: string;
  id?: string;
}

export interface ProblemResponse {
  status: number;
  body: ProblemBody;
  /** True when the cause is ours: log it with its stack. */
  unexpected: boolean;
}

/** Fastify's own request errors (body parsing, size, media type) carry a code and a status. */
const FASTIFY_CODES: Record<string, ProblemException> = {
  FST_ERR_CTP_BODY_TOO_LARGE: new ProblemException('payload-too-large', 'the request body is larger than the limit'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: new ProblemException('unsupported-media-type', 'send the body as application/json'),
  FST_ERR_CTP_EMPTY_JSON_BODY: ProblemException.invalidField('body', 'is empty but the content type says JSON'),
  FST_ERR_CTP_INVALID_JSON_BODY: ProblemException.invalidField('body', 'is not valid JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ProblemException.invalidField('body', 'does not match its Content-Length'),
  FST_ERR_BAD_URL: ProblemException.invalidField('url', 'is not a valid URL'),
  FST_ERR_ASYNC_CONSTRAINT: ProblemException.invalidField('url', 'is not a valid URL'),
  FST_ERR_MAX_PARAM_LENGTH: new ProblemException('uri-too-long', 'a path segment is longer than 200 characters'),
};

function classify(error: unknown): { problem: ProblemException; unexpected: boolean } {
  if (error instanceof ProblemException) return { problem: error, unexpected: false };

  const database = problemFromDatabaseError(error);
  if (database) return { problem: database, unexpected: false };
  if (isDatabaseUnavailable(error)) {
    return { problem: new ProblemException('unavailable', 'the database is not reachable; try again shortly'), unexpected: true };
  }

  const err = error as { code?: string; statusCode?: number; status?: number; message?: string; name?: string };
  if (err?.code && FASTIFY_CODES[err.code]) return { problem: FASTIFY_CODES[err.code], unexpected: false };
  if (err?.name === 'SyntaxError' && err.statusCode === 400) {
    return { problem: ProblemException.invalidField('body', 'is not valid JSON'), unexpected: false };
  }

  // Nest's Fastify adapter wraps Fastify's own request errors, keeping the original as `cause`.
  const cause = error instanceof HttpException ? (error.cause as { code?: string } | undefined) : undefined;
  if (cause?.code && FASTIFY_CODES[cause.code]) return { problem: FASTIFY_CODES[cause.code], unexpected: false };

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const type = problemTypeForStatus(status);
    // A framework 5xx message can carry internals; the client gets the generic text.
    const detail = status === 404 ? 'no such resource' : status >= 500 ? 'the service could not answer; try again shortly' : error.message;
    return { problem: new ProblemException(type, detail), unexpected: status >= 500 };
  }

  const status = err?.statusCode ?? 0;
  if (status >= 400 && status < 500) {
    return { problem: new ProblemException(problemTypeForStatus(status), err.message ?? 'bad request'), unexpected: false };
  }
  return {
    problem: new ProblemException('internal', 'an unexpected error occurred; quote the requestId when reporting it'),
    unexpected: true,
  };
}

/** The one translation from any thrown value to an RFC 9457 response. */
export function toProblemResponse(error: unknown, request: ProblemRequest): ProblemResponse {
  const { problem, unexpected } = classify(error);
  const status = PROBLEM_TYPES[problem.type].status;
  const body: ProblemBody = {
    type: problemTypeUri(problem.type),
    title: PROBLEM_TYPES[problem.type].title,
    status,
    detail: problem.detail,
    // The path only: a query string can carry a child's name.
    instance: (request.url ?? '').split('?')[0],
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...(problem.extensions ?? {}),
    ...(request.id ? { requestId: request.id } : {}),
  };
  return { status, body, unexpected };
}
