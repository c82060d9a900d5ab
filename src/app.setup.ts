import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { requestIdMiddleware } from './common/request-id.js';
import { AppConfig } from './config/app-config.js';
import { setUpApiDocs } from './docs/api-docs.js';

/** No endpoint takes a body: anything larger than this is refused with 413 before it is read further. */
const BODY_LIMIT = '1kb';

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
  // Every answer is different and most are no-store: an ETag would only hash each body.
  express.set('etag', false);
  express.use(requestIdMiddleware);
  // Helmet's defaults (CSP default-src 'self', HSTS, nosniff, ...) are enough for the home page and Swagger UI.
  express.use(helmet());
  express.use(['/api', '/health'], noStore);
  express.useBodyParser('json', { limit: BODY_LIMIT });
  express.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  setUpApiDocs(express);
}
