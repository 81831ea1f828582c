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
    logger.error({ err: error, requestId: request.id, status }, (error as Error)?.stack ?? String(error));
  }
  if (reply.sent) return;
  if (typeof body.retryAfter === 'number') void reply.header('retry-after', String(body.retryAfter));
  void reply.status(status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}
