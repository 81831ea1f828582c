import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblemResponse } from './problem-response';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The one error filter: every error leaves the API as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(error, request, reply, this.logger);
  }
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { status, body, unexpected } = toProblemResponse(error, { url: request.url, id: request.id });
  if (unexpected) {
    logger.error({ err: loggableError(error), requestId: request.id, status }, 'unexpected error');
  }
  if (reply.sent) return;
  if (typeof body.retryAfter === 'number') void reply.header('retry-after', String(body.retryAfter));
  void reply.status(status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}

/**
 * What of an error may go to the log: its kind, code, message and stack. Never a failed query's
 * parameters or a driver's detail, which carry the values a client sent (names, notes, passwords).
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: typeof error === 'string' ? error : 'non-error thrown' };
  const { code } = error as { code?: unknown };
  const driverCode = (error as { driverError?: { code?: unknown } }).driverError?.code;
  return { type: error.name, code: driverCode ?? code, message: error.message, stack: error.stack };
}
