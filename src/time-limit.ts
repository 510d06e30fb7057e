import { AppError } from './errors.js';

/**
 * `p`, or a rejection with AppError('timeout', `message`) if it takes longer than `ms` (after running `onTimeout`,
 * e.g. to close a connection). `p` itself is not cancelled.
 */
export async function withTimeout<T>(p: Promise<T>, ms: number, message: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          onTimeout?.();
          reject(new AppError('timeout', message));
        }, ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
