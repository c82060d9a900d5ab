import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { ApiBodyRefused } from '../docs/api-problems.js';

const UP = { status: 'up' };
const DOWN = { status: 'down' };
const state = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['up', 'down'] } },
  required: ['status'],
  additionalProperties: false,
};
const states = { type: 'object', additionalProperties: state, maxProperties: 4 };
const body = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok', 'error'] }, info: states, error: states, details: states },
  required: ['status', 'info', 'error', 'details'],
};
const ALL_UP = { process: UP, secret: UP, queue: UP, credential: UP };

/** The readiness body: the overall status and each dependency's `up` or `down`. */
export function ApiReadiness(): MethodDecorator {
  return applyDecorators(
    ApiBodyRefused('/health/ready'),
    ApiOkResponse({
      description: 'Ready: every dependency is up',
      schema: { ...body, example: { status: 'ok', info: ALL_UP, error: {}, details: ALL_UP } },
    }),
    ApiServiceUnavailableResponse({
      description: 'Not ready: shutting down, or a dependency is down (what to fix is in the logs)',
      schema: {
        ...body,
        example: {
          status: 'error',
          info: { process: UP, secret: UP, credential: UP },
          error: { queue: DOWN },
          details: { ...ALL_UP, queue: DOWN },
        },
      },
    }),
  );
}

/** The liveness body: always the same when the process can answer at all. */
export function ApiLiveness(): MethodDecorator {
  return applyDecorators(
    ApiBodyRefused('/health/live'),
    ApiOkResponse({
      description: 'The process is up and can serve',
      schema: { ...body, example: { status: 'ok', info: {}, error: {}, details: {} } },
    }),
  );
}
