import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import type { Express, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { requestIdMiddleware } from './common/request-id.js';
import { AppConfig } from './config/app-config.js';
import { setUpApiDocs } from './docs/api-docs.js';

/** No endpoint takes a body: anything larger than this is refused with 413 before it is read further. */
const BODY_LIMIT = '1kb';

/**
 * Brotli, or gzip for clients without it, for the home page (2.8 kB) and the OpenAPI document (12 kB as JSON,
 * 19 kB as YAML): 0.1 to 0.3 ms a request at compression's default Brotli quality 4. Mounted on these routes only,
 * so the API's small JSON answers never pass through it. The docs assets come precompressed (docs/static-text.ts).
 */
const COMPRESSED_PAGES = ['/', '/docs-json', '/docs-yaml'];

function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/** The HTTP surface that is not a module, shared by server.ts and the e2e tests. */
export function configureApp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useLogger(express.get(Logger));
  express.set('trust proxy', express.get(AppConfig).env.TRUST_PROXY);
  express.disable('x-powered-by');
  // Most answers are different each time and no-store: a generated ETag would only hash each body. The home page
  // and the docs set their own, a hash of content that does not change while the process runs.
  express.set('etag', false);
  express.use(requestIdMiddleware);
  // Helmet's defaults (CSP default-src 'self', HSTS, nosniff, ...) are enough for the home page and Swagger UI.
  express.use(helmet());
  express.use(['/api', '/health'], noStore);
  const server: Express = express.getHttpAdapter().getInstance();
  server.get(COMPRESSED_PAGES, compression());
  express.useBodyParser('json', { limit: BODY_LIMIT });
  express.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  setUpApiDocs(express);
}
