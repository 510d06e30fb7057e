import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../../errors.js';

/** The stable error codes of the web API, each with its HTTP status. Every error body is `{ error: { code, message } }`. */
export const WEB_ERRORS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  timeout: 504,
} as const;

export type WebErrorCode = keyof typeof WEB_ERRORS;

export class WebError extends Error {
  readonly code: WebErrorCode;
  /** Seconds for a Retry-After header (429, 503). */
  readonly retryAfter: number | undefined;
  constructor(code: WebErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.name = 'WebError';
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** An AppError code (from support or the store) as the web API's code. */
export function webCodeOf(code: ErrorCode): WebErrorCode {
  switch (code) {
    case 'bad_input': case 'invalid_transition': return 'bad_request';
    case 'not_found': return 'not_found';
    case 'forbidden': return 'forbidden';
    case 'conflict': case 'already_decided': case 'expired': return 'conflict';
    case 'rate_limited': return 'rate_limited';
    case 'unavailable': case 'store_locked': return 'unavailable';
    case 'timeout': return 'timeout';
    default: return 'internal';
  }
}

export function sendError(reply: FastifyReply, code: WebErrorCode, message: string): FastifyReply {
  return reply.code(WEB_ERRORS[code]).header('Cache-Control', 'no-store').send({ error: { code, message } });
}
