import { z } from 'zod';
import { AppError } from '../errors.js';
import { channelSchema } from '../store/schema.js';

/** Keys that must never appear in any input object (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 20;

function findForbiddenKey(value: unknown, path: string, depth: number): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_DEPTH) return path || '(root)';
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string') continue;
    const here = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return here;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Turn zod issues into one sentence a person (or a model) can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length ? issue.path.map(String).join('.') : 'input';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** Validate `input` with `schema`; anything wrong → AppError('bad_input') saying what. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const bad = findForbiddenKey(input, '', 0);
  if (bad) throw new AppError('bad_input', `Invalid ${what}: the key "${bad}" is not allowed.`);
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError('bad_input', `Invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** A required, trimmed, non-empty string of at most `max` characters. */
export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
/** An optional trimmed string of at most `max` characters. */
export const optionalText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`).optional();

/** A record id (customer, card, approval...): short, no spaces or odd characters. */
export const idString = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must contain only letters, digits, "_", "-", ".", ":"');

export const ticketIdString = z.string().max(20, 'must be at most 20 characters').regex(/^T-\d{1,12}$/, 'must look like T-1001');

export const emailString = z.string().trim().max(254, 'must be at most 254 characters').pipe(z.email('must be an email address'));

/** An ISO-8601 date or date-time. */
export const isoDate = z
  .string()
  .max(40, 'must be at most 40 characters')
  .regex(/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO date like 2026-01-31 or 2026-01-31T12:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a valid date');

/** Free text of the ticket body, messages and notes. */
export const LIMITS = {
  subject: 200,
  description: 10_000,
  message: 10_000,
  note: 5_000,
  reason: 1_000,
  query: 500,
  decisionNote: 1_000,
} as const;

/** Where a request came from (`RequestContext`): one schema for every operation that records it. */
export const requestContextSchema = z.strictObject({
  threadKey: z.string().max(500).optional(),
  channel: channelSchema.optional(),
  requester: z.strictObject({ id: z.string().min(1).max(254), email: z.string().max(254).optional(), verification: z.string().max(200).optional() }).optional(),
  drafting: z.boolean().optional(),
});
