import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../common/dto/problem-details.dto.js';
import { problemType } from '../common/problem-details.filter.js';
import { CodeResponseDto } from './dto/code-response.dto.js';

type Example = [code: string, detail: string];

const PROBLEMS: Record<number, { description: string; examples: Example[] }> = {
  429: {
    description: 'Rate limited, per client or for the whole instance; see `Retry-After`',
    examples: [['RATE_LIMITED', 'Too many requests from this client; try again later.']],
  },
  500: { description: 'Unexpected error', examples: [['INTERNAL_ERROR', 'An unexpected error occurred.']] },
  502: {
    description: 'The third-party API failed, rejected the key, or answered without an integer `value`',
    examples: [
      ['THIRD_PARTY_ERROR', 'The upstream number service failed.'],
      ['THIRD_PARTY_BAD_RESPONSE', 'The upstream number service sent an unusable answer.'],
      ['THIRD_PARTY_KEY_REJECTED', 'The upstream number service failed.'],
      ['THIRD_PARTY_UNREACHABLE', 'The upstream number service failed.'],
    ],
  },
  503: {
    description:
      'Key Vault, the credential or the queue is unavailable, or third-party calls are paused (circuit open, bulkhead full); no code was issued. See `Retry-After`',
    examples: [
      ['QUEUE_UNAVAILABLE', 'The code could not be recorded; no code was issued.'],
      ['SECRET_STORE_UNAVAILABLE', 'The service could not read its configuration secret.'],
      ['CREDENTIAL_UNAVAILABLE', 'The service could not authenticate to Azure.'],
      ['THIRD_PARTY_CIRCUIT_OPEN', 'The upstream number service is failing; calls are paused for a moment.'],
      ['THIRD_PARTY_BUSY', 'Too many upstream calls are in flight; try again shortly.'],
    ],
  },
  504: {
    description: 'The third-party API, or the request as a whole (REQUEST_BUDGET_MS), ran out of time',
    examples: [
      ['THIRD_PARTY_TIMEOUT', 'The upstream number service did not answer in time.'],
      ['REQUEST_TIMEOUT', 'The request could not be completed in time; no code was issued.'],
    ],
  },
};

const STATUS_TITLES: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function problemResponse(status: number): MethodDecorator & ClassDecorator {
  const { description, examples } = PROBLEMS[status] ?? { description: '', examples: [] };
  return ApiResponse({
    status,
    description,
    content: {
      'application/problem+json': {
        schema: { $ref: getSchemaPath(ProblemDetailsDto) },
        examples: Object.fromEntries(
          examples.map(([code, detail]) => [
            code,
            {
              value: {
                type: problemType(code),
                title: STATUS_TITLES[status],
                status,
                detail,
                instance: '/api/v1/getcode',
                code,
                requestId: '5b0e4c1e-3f7a-4d56-9a43-2f1d7f0c9b21',
              },
            },
          ]),
        ),
      },
    },
  });
}

/** OpenAPI description of `GET /api/v1/getcode`: the code, and every error it can answer. */
export function ApiGetCode(): MethodDecorator {
  return applyDecorators(
    ApiOperation({
      summary: 'Issue a new code',
      description:
        'Reads the third-party key from Key Vault (cached), gets a number from the third-party API, builds ' +
        '`<3 letters>-<number>-<3 letters>` and records it on the Storage queue. Answers only after the queue ' +
        'accepted the message. Rate limited per client and per instance. Only GET is served: HEAD, like any other ' +
        'method, gets 405 with `Allow: GET`, because answering it would spend a third-party call and a queue message ' +
        'on a code nobody receives.',
    }),
    ApiExtraModels(ProblemDetailsDto),
    ApiOkResponse({ type: CodeResponseDto, description: 'A new code; its message is on the queue' }),
    ...Object.keys(PROBLEMS).map((status) => problemResponse(Number(status))),
  );
}
