import request, { type Test } from 'supertest';

type App = Parameters<typeof request>[0];

/**
 * `GET /api/v1/getcode` of an app: an in-process server or the base URL of
 * one that listens. Headers may still be added with `.set(...)`; awaiting it
 * gives the answer (status, headers, text, parsed body).
 */
export function getCode(app: App, headers: Record<string, string> = {}): Test {
  return request(app).get('/api/v1/getcode').set(headers);
}
