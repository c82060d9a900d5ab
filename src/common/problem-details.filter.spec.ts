import type { Server } from 'node:http';
import { Controller, ConflictException, Get, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { type ProblemDetails, ProblemDetailsFilter } from './problem-details.filter.js';
import { requestIdMiddleware } from './request-id.js';
import { ServiceError } from './service-error.js';

class UpstreamBusyError extends ServiceError {
  readonly code = 'UPSTREAM_BUSY';
  readonly status = 503;
  override readonly retryAfterSeconds = 7;
}

@Controller('probe')
class ProbeController {
  @Get('service-error')
  serviceError(): never {
    throw new UpstreamBusyError('The upstream is busy.', 'Operator hint: scale the upstream.');
  }

  @Get('http-error')
  httpError(): never {
    throw new ConflictException('No such code.');
  }

  @Get('bug')
  bug(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'x') at /srv/app/secret-path.js");
  }
}

describe('ProblemDetailsFilter', () => {
  let app: INestApplication;
  let server: Server;
  const logs = new LogCapture();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    })
      .setLogger(logs)
      .compile();
    app = moduleRef.createNestApplication({ logger: logs });
    app.use(requestIdMiddleware);
    await app.init();
    server = app.getHttpServer() as Server;
  });

  afterAll(() => app.close());

  it('answers a ServiceError with its status, code, detail and Retry-After, and logs the hint', async () => {
    const res = await request(server).get('/probe/service-error').set('x-request-id', 'abc-123');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body).toEqual({
      type: 'tag:azure-integrated-auth,2026:problems/upstream-busy',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The upstream is busy.',
      instance: '/probe/service-error',
      code: 'UPSTREAM_BUSY',
      requestId: 'abc-123',
    });
    expect(logs.text()).toContain(
      'GET /probe/service-error [abc-123] -> 503 UPSTREAM_BUSY: Operator hint: scale the upstream.',
    );
    expect(JSON.stringify(res.body)).not.toContain('Operator hint');
  });

  it('keeps the status and message of Nest HTTP exceptions', async () => {
    const res = await request(server).get('/probe/http-error');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, code: 'CONFLICT', detail: 'No such code.' });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('answers unknown routes with problem+json too', async () => {
    const res = await request(server).get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    // The path is the instance; the detail does not repeat it (it would be as long as any URL).
    expect(res.body).toMatchObject({
      code: 'NOT_FOUND',
      instance: '/nowhere',
      detail: 'There is nothing at this path.',
    });
    expect((res.body as ProblemDetails).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('hides unexpected errors behind a generic 500 and logs the stack', async () => {
    const res = await request(server).get('/probe/bug');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred.' });
    expect(res.text).not.toMatch(/secret-path|TypeError|at /);
    expect(logs.text()).toMatch(/500 INTERNAL_ERROR: TypeError/);
  });

  it('replaces a malformed incoming request id', async () => {
    const res = await request(server).get('/nowhere').set('x-request-id', 'bad id <script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((res.body as ProblemDetails).requestId).toBe(res.headers['x-request-id']);
  });
});
