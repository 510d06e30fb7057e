import type { z } from 'zod';
import { WebError } from './errors.js';

/** `value` parsed by `schema`, or a 400 `bad_request` naming the first problems (never echoing the value). */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`);
  throw new WebError('bad_request', `Invalid ${what}: ${issues.join('; ')}`);
}
