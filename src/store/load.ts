import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { dbSchema, type Db } from './schema.js';

const MAX_ISSUES = 3;

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  return shown.join('; ') + more;
}

/**
 * Read a store file's text. Returns null only when the file does not exist; any other
 * failure (a directory, no permission, a path through a file...) is `store_io`.
 */
export async function readDbText(file: string, what = 'store file'): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    const reason = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
    throw new AppError('store_io', `cannot read ${what} ${file}: ${reason}`, { file, errno: code }, { cause: err });
  }
}

/**
 * Parse and validate a whole database text. Every problem is `store_corrupt` with a message
 * naming the file and what is wrong (for schema failures: the first issues with their paths).
 */
export function parseDb(file: string, text: string, opts: { validate: boolean; what?: string }): Db {
  const what = opts.what ?? 'store file';
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new AppError('store_corrupt', `${what} ${file} is empty`, { file });
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new AppError('store_corrupt', `${what} ${file} is not valid JSON (truncated or damaged): ${(err as Error).message}`, { file }, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new AppError('store_corrupt', `${what} ${file} holds ${got}, expected a database object`, { file });
  }
  if (!opts.validate) return value as Db;
  const parsed = dbSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('store_corrupt', `${what} ${file} does not match the database schema: ${describeIssues(parsed.error.issues)}`, {
      file,
      issues: parsed.error.issues.slice(0, MAX_ISSUES).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return parsed.data;
}
