import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Accept a caller's id only if it is short and made of safe characters (it ends up in logs and queue messages). */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

export type RequestWithId = Request & { id: string };

/** Reuses a well-formed incoming `x-request-id`, replaces anything else, and echoes it in the response. */
export function requestIdMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
  (req as IncomingMessage & { id: string }).id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}

/** The current request's id, as set by `requestIdMiddleware`. */
export const RequestId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<RequestWithId>().id;
});
