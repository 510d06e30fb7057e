/**
 * The one error type of Helpline. `code` is a stable string that callers switch on;
 * `message` is safe to show to a person (never contains a secret).
 */
export const ERROR_CODES = [
  'bad_input', 'not_found', 'forbidden', 'conflict', 'already_decided', 'expired', 'invalid_transition', 'rate_limited',
  'unavailable', 'timeout', 'config', 'store_corrupt', 'store_locked', 'store_io', 'model_error', 'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether `code` is one of Helpline's error codes (e.g. read back from a tool result). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** One refused input field: its path (`a.b`) and what was wrong with it. */
export interface FieldIssue { path: string; message: string }

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** The input fields that were refused; empty when the error is not about one field. */
  readonly issues: readonly FieldIssue[];

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown; issues?: readonly FieldIssue[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.issues = options?.issues ?? [];
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
