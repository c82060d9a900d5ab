import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, type HeaderObject } from '@nestjs/swagger';

import { ProblemDetailsDto } from '../common/dto/problem-details.dto.js';
import { problemType } from '../common/problem-details.filter.js';

type Example = Pick<ProblemDetailsDto, 'status' | 'code' | 'detail'>;

const BAD_INPUT: Example[] = [
  { status: 400, code: 'BAD_REQUEST', detail: 'Unexpected end of JSON input' },
  { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'request entity too large' },
];

const seconds = (description: string): HeaderObject => ({ description, schema: { type: 'integer', minimum: 0 } });
const text = (description: string): HeaderObject => ({ description, schema: { type: 'string', maxLength: 200 } });

/** The rate-limit fields every answer of a rate-limited route carries (docs/api.md). */
export const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Policy': text('The limits (IETF draft): `"per-client";q=<n>;w=60, "global";q=<n>;w=60`'),
  RateLimit: text('What is left of each limit and when it resets (IETF draft): `"per-client";r=<n>;t=<s>, ...`'),
  'RateLimit-Limit': seconds('The limit closest to refusing: requests per window'),
  'RateLimit-Remaining': seconds('Requests left in the window under that limit'),
  'RateLimit-Reset': seconds('Seconds until the window resets'),
};

export const RETRY_AFTER = { 'Retry-After': seconds('Seconds to wait before trying again') };

export function ApiProblem(
  path: string,
  status: number,
  description: string,
  examples: Example[],
  headers?: Record<string, HeaderObject>,
): MethodDecorator {
  const values = examples
    .filter((example) => example.status === status)
    .map(({ code, detail }): [string, object] => {
      const value = { type: problemType(code), title: STATUS_CODES[status], status, detail, instance: path, code };
      return [code, { value: { ...value, requestId: '5b0e4c1e-3f7a-4d56-9a43-2f1d7f0c9b21' } }];
    });
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ApiResponse({
      status,
      description,
      headers,
      content: {
        'application/problem+json': {
          schema: { $ref: getSchemaPath(ProblemDetailsDto) },
          examples: Object.fromEntries(values),
        },
      },
    }),
  );
}

/** The 4xx answers any operation can give: no operation takes a body, so a malformed or large one is refused. */
export function ApiBodyRefused(path: string): MethodDecorator {
  return applyDecorators(
    ApiProblem(path, 400, 'A request body that is not valid JSON (no operation takes a body)', BAD_INPUT),
    ApiProblem(path, 413, 'A request body over 1 kB (no operation takes a body)', BAD_INPUT),
  );
}
