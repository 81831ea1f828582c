import type { IncomingMessage } from 'node:http';
import { Logger, ValidationPipe } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AccessLogWriter } from './audit/access-log-writer';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { dashboardPageDir, serveDashboardPage } from './dashboard-page/dashboard-page';
import { registerImportBodyParsers } from './imports/import-body';
import { documentConventions } from './common/openapi/document-conventions';
import { ProblemDto } from './common/problem/api-problem-responses.decorator';
import { ProblemDetailsFilter, sendProblem } from './common/problem/problem-details.filter';
import { ProblemException } from './common/problem/problem.exception';
import { validationProblem } from './common/problem/validation-errors';
import { jsonBodyProblem } from './common/validation/json-body-shape';
import { logResponse, requestIdOf } from './logging/logging.module';
import { PinoLogger } from 'nestjs-pino';
import fastifyCors from '@fastify/cors';
import helmet from 'helmet';

export const API_PREFIX = 'api/v1';

/** The HTTP layer: Fastify (1.6x Express here, STACK.md) with the body limit and request ids. */
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Behind a load balancer (TRUST_PROXY) request.ip is the client's, from X-Forwarded-For.
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    routerOptions: { maxParamLength: 200 },
    // Errors the router raises before any hook (a bad URL, a path parameter over maxParamLength)
    // leave as problem details too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(error, request, reply, new Logger('Problem')),
    genReqId: (req: unknown) => {
      // pino-http reads the same id from the raw request, so log lines and responses agree.
      const raw = req as IncomingMessage;
      raw.id = requestIdOf(raw);
      return raw.id;
    },
  });
  // CSV files for POST /imports/*: streamed text/csv and multipart bodies on those routes only.
  registerImportBodyParsers(adapter.getInstance(), config.importMaxBytes);
  return adapter;
}

/** Everything main.ts and the e2e tests share: prefix, validation, errors, OpenAPI. */
export interface AppOptions {
  /** Serve Swagger UI at /docs (needs @fastify/static, which jest on Node 20 cannot load). */
  swaggerUi?: boolean;
  /** Serve the dashboard page at / from dist/public (@fastify/static too; false in jest). */
  dashboardPage?: boolean;
}

export async function configureApp(app: NestFastifyApplication, options: AppOptions = {}): Promise<void> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // A request target longer than any real one (a query string can carry names: never logged).
    if (request.url.length > config.maxUrlLength) {
      throw new ProblemException('uri-too-long', `the request URL is longer than ${config.maxUrlLength} characters`);
    }
  });
  await registerSecurityHeaders(app, config);
  // Once closing starts, every response asks the client to close its connection: Node's server
  // closes only the connections idle at that moment, and a keep-alive client whose request was in
  // flight would otherwise hold the shutdown open until SHUTDOWN_TIMEOUT_MS.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  // Buffered access rows of reads: written after the last request is answered, before the pool
  // closes (Fastify's onClose runs inside Nest's dispose, before the shutdown hooks close the pool).
  const accessLogWriter = app.get(AccessLogWriter);
  fastify.addHook('onClose', async () => accessLogWriter.close());
  // A JSON body must be an object or array of sane depth with no prototype keys, before any DTO
  // code (class-transformer recurses per level) touches it.
  fastify.addHook('preValidation', async (request) => {
    if (request.body === undefined || !/^application\/([\w.+-]+\+)?json\b/i.test(request.headers['content-type'] ?? '')) return;
    const problem = jsonBodyProblem(request.body);
    if (problem) throw ProblemException.validation([problem]);
  });
  const accessLog = await app.resolve(PinoLogger);
  accessLog.setContext('Http');
  fastify.addHook('onResponse', async (request, reply) => logResponse(accessLog, request, reply));

  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready'] });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: validationProblem,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());

  const document = documentConventions(SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Locality SEN API')
      .setDescription(
        'Case management for SEN support in a locality model: the SEN register, support requests and ' +
          'locality panels, provider delivery, EHC needs assessments on the statutory clock, and timeliness ' +
          'dashboards. Every error is RFC 9457 problem details (application/problem+json).',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
    { extraModels: [ProblemDto] },
  ));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerUiEnabled: options.swaggerUi ?? true });
  if ((options.dashboardPage ?? true) && !serveDashboardPage(app)) {
    new Logger('Bootstrap').warn(`No dashboard page in ${dashboardPageDir()} (npm run build makes it): / is not served`);
  }
}

/**
 * Security headers on every response (helmet) and CORS for the configured origins only.
 * The CSP is helmet's default (default-src 'self', script-src 'self', no inline scripts) with two
 * changes: Swagger UI at /docs and the dashboard page load their scripts and styles from 'self'
 * (Swagger UI's page has one inline <style>, which helmet's style-src 'unsafe-inline' allows), and
 * upgrade-insecure-requests is off, because TLS is terminated in front of the app (an HTTP-only
 * demo on a LAN address would otherwise have every asset rewritten to https).
 * helmet's middleware is built once here: @fastify/helmet built it (parsing the CSP directives
 * again) on every request.
 */
async function registerSecurityHeaders(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const securityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: true, directives: { 'upgrade-insecure-requests': null } },
    // Same-origin API: other sites may not embed its responses.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  app.getHttpAdapter().getInstance().addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
  if (config.corsOrigins.length === 0) return;
  await app.register(fastifyCors as never, {
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'If-Match', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'ETag', 'Location', 'Content-Disposition'],
    credentials: false,
    maxAge: 600,
  });
}
