import type { Actor, AuditEntry, Db } from '../store/schema.js';
import type { Caller } from './caller.js';
import { requireStaff } from './authority.js';
import type { SupportContext } from './context.js';
import { newId } from './ids.js';
import { parseInput } from './validation.js';
import { z } from 'zod';

/**
 * Append an audit entry. Call it inside the same `store.update` as the change it records.
 * `details` must never hold a secret (password, token, reset link).
 */
export function recordAudit(db: Db, at: Date, actor: Actor, action: string, target: string, details?: Record<string, unknown>): AuditEntry {
  const entry: AuditEntry = { id: newId('aud'), at: at.toISOString(), actor: { ...actor }, action, target };
  if (details) entry.details = details;
  db.audit.push(entry);
  return entry;
}

export function createAudit(ctx: SupportContext) {
  return {
    /** Newest first; staff only. */
    list(caller: Caller, limit?: number): AuditEntry[] {
      requireStaff(ctx, caller);
      const n = parseInput(z.number().int().min(1).max(1000).optional(), limit, 'limit') ?? 50;
      return ctx.store.read().audit.slice(-n).reverse().map((e) => structuredClone(e));
    },
  };
}
