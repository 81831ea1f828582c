import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Keeps a caller's X-Request-Id when it is sane, otherwise makes one; echoed in the response. */
export function requestIdOf(req: IncomingMessage, res?: ServerResponse): string {
  const existing = (req as IncomingMessage & { id?: string }).id;
  const header = req.headers['x-request-id'];
  const id =
    typeof existing === 'string' && existing
      ? existing
      : typeof header === 'string' && REQUEST_ID.test(header)
        ? header
        : randomUUID();
  res?.setHeader('x-request-id', id);
  return id;
}

/**
 * Structured JSON logs with the request id on every line of a request. Only method, path and
 * status are logged: never bodies, query strings (they can hold a child's name), tokens or cookies.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          genReqId: requestIdOf,
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
          // These read the raw request and response themselves: pino-http's wrapping would first
          // copy every header into pino-std-serializers' object, on every request (pino-http binds
          // `req` to a child logger per request), only for these to keep three fields of it.
          wrapSerializers: false,
          serializers: {
            req: (req: { id: string; method: string; url: string; originalUrl?: string }) => ({
              id: req.id,
              method: req.method,
              path: String(req.originalUrl ?? req.url).split('?')[0],
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            err: stdSerializers.err,
          },
          // One access line per request comes from the onResponse hook (bootstrap.ts): with a
          // global prefix and excluded paths the middleware can run twice for one request.
          autoLogging: false,
          quietReqLogger: true,
          quietResLogger: true,
        },
      }),
    }),
  ],
})
export class LoggingModule {}

/** The access log line: method, path (no query string), status, time; never headers or bodies. */
export function logResponse(logger: Pick<PinoLogger, "info" | "warn" | "error">, request: FastifyRequest, reply: FastifyReply): void {
  // reqId comes from the request context (nestjs-pino); keys avoid pino-http's req/res serializers.
  const line = {
    method: request.method,
    path: request.url.split('?')[0],
    statusCode: reply.statusCode,
    responseTime: Math.round(reply.elapsedTime),
  };
  if (reply.statusCode >= 500) logger.error(line, 'request failed');
  else if (reply.statusCode >= 400) logger.warn(line, 'request rejected');
  else logger.info(line, 'request completed');
}
