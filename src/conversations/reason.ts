import { AppError, isAppError } from '../errors.js';

/** A short, loggable description of a failure (never a stack, never a message body). */
export function reasonOf(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error';
}

/** The model is out (or rate-limited): the message waits for a retry instead of failing. */
export function isOutage(err: unknown): boolean {
  return isAppError(err, 'unavailable') || isAppError(err, 'rate_limited');
}
