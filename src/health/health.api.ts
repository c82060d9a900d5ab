import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';

const UP = { status: 'up' };
const DOWN = { status: 'down' };
const state = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['up', 'down'] } },
  required: ['status'],
  additionalProperties: false,
};
/** An informational entry: always up, with one word of state. */
const info = (name: string, values: string[]) => ({
  type: 'object',
  properties: { status: { type: 'string', enum: ['up'] }, [name]: { type: 'string', enum: values } },
  required: ['status', name],
  additionalProperties: false,
});
const states = {
  type: 'object',
  properties: {
    thirdParty: info('retryBudget', ['available', 'exhausted']),
    rateLimits: info('store', ['local', 'shared', 'local-fallback']),
  },
  additionalProperties: state,
};
const THIRD_PARTY = { status: 'up', retryBudget: 'available' };
const RATE_LIMITS = { status: 'up', store: 'shared' };
const ALL_UP = { process: UP, secret: UP, queue: UP, credential: UP, thirdParty: THIRD_PARTY, rateLimits: RATE_LIMITS };
const body = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok', 'error'] }, info: states, error: states, details: states },
  required: ['status', 'info', 'error', 'details'],
};

/**
 * The readiness body: the overall status and each dependency's `up` or
 * `down`, plus two informational entries that never make it not ready.
 */
export function ApiReadiness(): MethodDecorator {
  return applyDecorators(
    ApiOkResponse({
      description: 'Ready: every dependency is up',
      schema: {
        ...body,
        example: {
          status: 'ok',
          info: ALL_UP,
          error: {},
          details: ALL_UP,
        },
      },
    }),
    ApiServiceUnavailableResponse({
      description: 'Not ready: shutting down, or a dependency is down (what to fix is in the logs)',
      schema: {
        ...body,
        example: {
          status: 'error',
          info: { process: UP, secret: UP, credential: UP, thirdParty: THIRD_PARTY, rateLimits: RATE_LIMITS },
          error: { queue: DOWN },
          details: { ...ALL_UP, queue: DOWN },
        },
      },
    }),
  );
}

/** The liveness body: always the same when the process can answer at all. */
export function ApiLiveness(): MethodDecorator {
  return ApiOkResponse({
    description: 'The process is up and can serve',
    schema: { ...body, example: { status: 'ok', info: {}, error: {}, details: {} } },
  });
}
