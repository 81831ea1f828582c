import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';

/**
 * Where `npm run build` puts the dashboard page (web/ bundled by web/build.mjs): dist/public,
 * beside dist/src where this file runs from. A function, not a constant: jest loads this module as
 * ESM, where __dirname does not exist (and never serves the page).
 */
export function dashboardPageDir(): string {
  return join(__dirname, '..', '..', 'public');
}

/**
 * The page runs only its own bundled script and styles and talks only to this API: nothing from
 * another origin, no inline script, and it may not be framed.
 */
export const DASHBOARD_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the timeliness dashboard page at `/` with its static assets (API.md Conventions: no
 * token needed; the page holds no data and calls the API with the signed-in user's token).
 * Registered like Swagger UI's assets: an encapsulated @fastify/static (which jest on Node 20
 * cannot load, hence the AppOptions switch) with one route per file found at start, so unknown
 * paths still answer the API's 404 problem. Returns false when the page has not been built.
 */
export function serveDashboardPage(app: NestFastifyApplication, root = dashboardPageDir()): boolean {
  if (!existsSync(join(root, 'index.html'))) return false;
  app.getHttpAdapter().getInstance().register(async (instance) => {
    const fastifyStatic = await import('@fastify/static');
    await instance.register(fastifyStatic.default ?? fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      decorateReply: false,
      cacheControl: true,
      maxAge: 0,
      setHeaders: (reply: FastifyReply) => {
        void reply.header('Content-Security-Policy', DASHBOARD_PAGE_CSP);
        void reply.header('X-Content-Type-Options', 'nosniff');
        void reply.header('Referrer-Policy', 'no-referrer');
      },
    });
  });
  return true;
}
