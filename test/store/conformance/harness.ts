/** What the conformance suite needs from an engine, and small assertions every part uses. */
import { expect } from 'vitest';
import type { ErrorCode } from '../../../src/errors.js';
import type { Repositories } from '../../../src/store/repos/index.js';

/** A fresh, empty engine (every test gets its own). `close` releases it; it may be called after `repos.close()`. */
export interface ConformanceEngine {
  repos: Repositories;
  close(): Promise<void>;
}

export type MakeEngine = () => Promise<ConformanceEngine>;

/** The repositories of the current test's engine. */
export type GetRepos = () => Repositories;

/** `promise` rejects with an AppError of this code. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'AppError', code });
}

/** Runs `n` calls of `fn` at once (index 0..n-1) and returns their results. */
export function concurrently<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

/** Limits every list method must refuse. */
export const BAD_LIMITS = [0, -1, 1.5, 1001, Number.NaN] as const;
