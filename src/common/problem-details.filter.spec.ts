import { jest } from '@jest/globals';
import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import {
  type ArgumentsHost,
  Controller,
  ConflictException,
  Get,
  HttpException,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { type Span, trace } from '@opentelemetry/api';
import request from 'supertest';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { type ProblemDetails, ProblemDetailsFilter } from './problem-details.filter.js';
import { requestIdMiddleware } from './request-id.js';
import type { RequestWithId } from './request-id.js';
import { MethodNotAllowedError, ServiceError } from './service-error.js';

class UpstreamBusyError extends ServiceError {
  readonly code = 'UPSTREAM_BUSY';
  readonly status = 503;
  override readonly retryAfterSeconds = 7;
}

class CodeGoneError extends ServiceError {
  readonly code = 'CODE_GONE';
  readonly status = 410;
}

class StoreBrokenError extends ServiceError {
  readonly code = 'STORE_BROKEN';
  readonly status = 500;
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

  @Get('method-error')
  methodError(): never {
    throw new MethodNotAllowedError(['GET', 'HEAD']);
  }

  @Get('gone')
  gone(): never {
    throw new CodeGoneError('That code has expired.', 'Operator hint: expired 2 days ago.');
  }

  @Get('store-broken')
  storeBroken(): never {
    throw new StoreBrokenError('Try again later.', 'Operator hint: the store refused the write.');
  }

  @Get('unnamed-status')
  unnamedStatus(): never {
    throw new HttpException('An odd status.', 599);
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

  /** The log lines of one request, by its request id. */
  const linesOf = (requestId: string) => logs.lines.filter((line) => line?.includes(`[${requestId}]`));

  it('never lets an error answer be cached', async () => {
    for (const path of ['/probe/service-error', '/probe/http-error', '/nowhere', '/probe/bug']) {
      const res = await request(server).get(path);
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('logs a failure of ours (5xx) as an error and a client mistake (4xx) as a warning', async () => {
    await request(server).get('/probe/service-error').set('x-request-id', 'level-503');
    await request(server).get('/nowhere').set('x-request-id', 'level-404');
    await request(server).get('/probe/bug').set('x-request-id', 'level-500');
    expect(linesOf('level-503')).toEqual([expect.stringMatching(/^error \[Errors\] /)]);
    expect(linesOf('level-404')).toEqual([expect.stringMatching(/^warn \[Errors\] /)]);
    expect(linesOf('level-500')).toEqual([expect.stringMatching(/^error \[Errors\] /)]);
  });

  it('answers a 4xx ServiceError with its own headers, logged as a warning', async () => {
    const res = await request(server).get('/probe/method-error').set('x-request-id', 'allow-405');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.body).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED', title: 'Method Not Allowed' });
    expect(linesOf('allow-405')).toEqual([expect.stringMatching(/^warn \[Errors\] .*-> 405 METHOD_NOT_ALLOWED/)]);
  });

  it('logs the operator hint of a ServiceError of any status, at error from 500 on', async () => {
    await request(server).get('/probe/gone').set('x-request-id', 'hint-410');
    await request(server).get('/probe/store-broken').set('x-request-id', 'hint-500');
    expect(linesOf('hint-410')).toEqual([
      expect.stringMatching(/^warn \[Errors\] .*-> 410 CODE_GONE: Operator hint: expired 2 days ago\.$/),
    ]);
    expect(linesOf('hint-500')).toEqual([
      expect.stringMatching(/^error \[Errors\] .*-> 500 STORE_BROKEN: Operator hint: the store refused the write\.$/),
    ]);
  });

  it('puts the problem code on the request span', async () => {
    const attributes: Record<string, unknown> = {};
    const span = { setAttribute: (key: string, value: unknown) => (attributes[key] = value) } as unknown as Span;
    const activeSpan = jest.spyOn(trace, 'getActiveSpan').mockReturnValue(span);
    try {
      await request(server).get('/probe/gone');
    } finally {
      activeSpan.mockRestore();
    }
    expect(attributes).toEqual({ 'problem.code': 'CODE_GONE' });
  });

  it('names a status Node has no name for "Error"', async () => {
    const res = await request(server).get('/probe/unnamed-status');
    expect(res.status).toBe(599);
    expect(res.body).toMatchObject({ title: 'Error', code: 'ERROR', detail: 'An odd status.' });
  });

  it('only logs an error raised after the answer has started', () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const req = { method: 'GET', path: '/stream', id: 'late-500' } as RequestWithId;
    const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as ArgumentsHost;

    expect(() => new ProblemDetailsFilter().catch(new Error('stream broke'), host)).not.toThrow();
    expect(res.statusCode).toBe(200);
    expect(linesOf('late-500')).toEqual([expect.stringMatching(/^error \[Errors\] .*-> 500 INTERNAL_ERROR/)]);
  });
});
