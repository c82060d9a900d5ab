import { STATUS_CODES, type ServerResponse } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { describeError } from './service-error.js';
import type { ProblemDetailsDto } from './dto/problem-details.dto.js';
import type { RequestWithId } from './request-id.js';
import { ServiceError, operatorMessage } from './service-error.js';

export type ProblemDetails = ProblemDetailsDto;

interface Problem {
  status: number;
  code: string;
  detail: string;
  retryAfterSeconds?: number;
  headers?: Readonly<Record<string, string>>;
}

export const INTERNAL_ERROR = { status: 500, code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred.' } as const;

/** A stable, non-dereferenceable problem type per code (RFC 9457 allows tag URIs). */
export function problemType(code: string): string {
  return `tag:azure-integrated-auth,2026:problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

/** Answers `problem` as problem+json (unless an answer has already begun); `instance` is the request's path. */
export function answerWithProblem(res: ServerResponse, problem: Problem, instance: string, requestId: string): void {
  // Application Insights keeps it with the request (Properties["problem.code"]): each code is its own series.
  trace.getActiveSpan()?.setAttribute('problem.code', problem.code);
  if (res.headersSent) {
    return;
  }
  const body: ProblemDetails = {
    type: problemType(problem.code),
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    instance,
    code: problem.code,
    requestId,
  };
  if (problem.retryAfterSeconds !== undefined) {
    res.setHeader('Retry-After', String(problem.retryAfterSeconds));
  }
  for (const [name, value] of Object.entries(problem.headers ?? {})) {
    res.setHeader(name, value);
  }
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.statusCode = problem.status;
  res.end(JSON.stringify(body));
}

/**
 * Every error as `application/problem+json`, logged once. Only `ServiceError.detail` and Nest's own HTTP messages reach
 * the client; anything else is a generic 500. Never a stack trace.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<RequestWithId>();
    const problem = this.toProblem(error);
    this.log(error, problem, req);
    answerWithProblem(http.getResponse<ServerResponse>(), problem, req.path, req.id);
  }

  private toProblem(error: unknown): Problem {
    if (error instanceof ServiceError) {
      return error;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      // Stryker disable next-line Regex: no name in node:http has two non-letters in a row, so `+` changes nothing
      const code = (STATUS_CODES[status] ?? 'Error').toUpperCase().replace(/[^A-Z]+/g, '_');
      // Nest's 404 message repeats the path, which is already the `instance`.
      return { status, code, detail: status === 404 ? 'There is nothing at this path.' : error.message };
    }
    return INTERNAL_ERROR;
  }

  private log(error: unknown, problem: Problem, req: RequestWithId): void {
    const where = `${req.method} ${req.path} [${req.id}] -> ${problem.status} ${problem.code}`;
    if (error instanceof ServiceError && problem.status >= 500) {
      this.logger.error(`${where}: ${operatorMessage(error)}`);
    } else if (error instanceof ServiceError) {
      this.logger.warn(`${where}: ${operatorMessage(error)}`);
    } else if (problem.status >= 500) {
      this.logger.error(`${where}: ${describeError(error)}`, error instanceof Error ? error.stack : undefined);
    } else {
      this.logger.warn(`${where}: ${problem.detail}`);
    }
  }
}
