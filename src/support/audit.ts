import { z } from 'zod';
import type { Repositories } from '../store/repos/index.js';
import type { Actor, AuditEntry } from '../store/schema.js';
import { requireStaff } from './authority.js';
import type { Caller } from './caller.js';
import type { SupportContext } from './context.js';
import { newId } from './ids.js';
import { parseInput } from './validation.js';

/**
 * Append an audit entry. Call it with the transaction's `tx`, in the same transaction as the change it records.
 * `details` must never hold a secret (password, token, reset link).
 */
export async function recordAudit(
  repos: Pick<Repositories, 'audit'>, at: Date, actor: Actor, action: string, target: string, details?: Record<string, unknown>,
): Promise<AuditEntry> {
  const entry: AuditEntry = { id: newId('aud'), at: at.toISOString(), actor: { ...actor }, action, target };
  if (details) entry.details = dropUndefined(details);
  await repos.audit.append(entry);
  return entry;
}

/** Details without `undefined` values (a stored record has no such thing; every engine then returns the same). */
function dropUndefined(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

export function createAudit(ctx: SupportContext) {
  return {
    /** Newest first; staff only. */
    async list(caller: Caller, limit?: number): Promise<AuditEntry[]> {
      requireStaff(ctx, caller);
      const n = parseInput(z.number().int().min(1).max(1000).optional(), limit, 'limit') ?? 50;
      return (await ctx.repos.audit.list({ limit: n })).items;
    },
  };
}
