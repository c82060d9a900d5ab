import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { requestIdMiddleware } from './common/request-id.js';

/**
 * Everything about the HTTP surface that is not a module: shared by main.ts
 * and the e2e tests, so tests run the app production runs.
 */
export function configureApp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useLogger(express.get(Logger));
  express.disable('x-powered-by');
  express.use(requestIdMiddleware);
}
