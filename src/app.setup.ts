import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import type { Express, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AdmissionControl } from './admission/admission.control.js';
import { OVERLOADED } from './admission/admission.errors.js';
import { answerWithProblem } from './common/problem-details.filter.js';
import { requestIdMiddleware } from './common/request-id.js';
import { AppConfig } from './config/app-config.js';
import { setUpApiDocs } from './docs/api-docs.js';

/** No endpoint takes a body: anything larger than this is refused with 413 before it is read further. */
const BODY_LIMIT = '1kb';

const PUBLIC = fileURLToPath(new URL('public/', import.meta.url));
const SWAGGER_UI = dirname(
  createRequire(createRequire(import.meta.url).resolve('@nestjs/swagger')).resolve('swagger-ui-dist/package.json'),
);

/** The pages and their files, by URL: the API's answers never pass through compression or the file system. */
const FILES: Record<string, [root: string, file: string]> = {
  '/': [PUBLIC, 'index.html'],
  '/docs': [PUBLIC, 'docs/index.html'],
  '/docs/docs.css': [PUBLIC, 'docs/docs.css'],
  '/docs/docs.js': [PUBLIC, 'docs/docs.js'],
  '/docs/swagger-ui.css': [SWAGGER_UI, 'swagger-ui.css'],
  '/docs/swagger-ui-bundle.js': [SWAGGER_UI, 'swagger-ui-bundle.js'],
};

/**
 * Each file compressed (Brotli, or gzip for clients without it: about 50 ms for Swagger UI's 1.6 MB bundle, once
 * per browser) and revalidated on each visit, which costs a 304 while it is unchanged (Last-Modified).
 */
function servePages(server: Express): void {
  const pages = compression();
  for (const [path, [root, file]] of Object.entries(FILES)) {
    server.get(path, pages, (_req, res, next) => {
      res.sendFile(file, { root, cacheControl: false, headers: { 'Cache-Control': 'no-cache' } }, (error) => {
        if (error) {
          next(error);
        }
      });
    });
  }
  server.get(['/docs-json', '/docs-yaml'], pages);
}

// Helmet's defaults (CSP default-src 'self', HSTS, nosniff, ...) are enough for the home page and Swagger UI.
const securityHeaders = helmet();

const noop = () => {};

/**
 * Answers what admission control refuses before Express sees the request, with the headers every answer has: a refusal
 * must cost a small fraction of an answer (docs/resilience.md).
 */
function refuseBeforeExpress(server: Server, admission: AdmissionControl): void {
  const [express] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (admission.admits(req, res)) {
      express!(req, res);
      return;
    }
    requestIdMiddleware(req, res, noop);
    securityHeaders(req, res, noop);
    const [path = '/'] = (req.url ?? '/').split('?', 1);
    answerWithProblem(res, OVERLOADED, path, (req as IncomingMessage & { id: string }).id);
  });
}

function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

export function configureApp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useLogger(express.get(Logger));
  express.set('trust proxy', express.get(AppConfig).env.TRUST_PROXY);
  express.disable('x-powered-by');
  // Most answers are different each time and no-store: an ETag would only hash each body.
  express.set('etag', false);
  refuseBeforeExpress(express.getHttpServer(), express.get(AdmissionControl));
  express.use(requestIdMiddleware);
  express.use(securityHeaders);
  express.use(['/api', '/health'], noStore);
  servePages(express.getHttpAdapter().getInstance());
  express.useBodyParser('json', { limit: BODY_LIMIT });
  express.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  setUpApiDocs(express);
}
