import { z } from 'zod';
import { AppError, isAppError } from '../errors.js';
import type { Draft, DraftKind } from '../store/schema.js';
import { draftKindSchema } from '../store/schema.js';
import type { DraftView, Support } from './api.js';
import { recordAudit } from './audit.js';
import { requireStaff } from './authority.js';
import { actorOf, type Caller, type RequestContext } from './caller.js';
import type { SupportContext } from './context.js';
import { kindSpec, type DraftOps } from './draft-kinds.js';
import { newId } from './ids.js';
import { redactSecrets } from './redact/index.js';
import { idString, LIMITS, parseInput } from './validation.js';

/**
 * Drafts: what a model proposes in a staff session that a customer would see or that changes a record. Creating
 * one changes nothing else; `send` (a person's click) runs the support operation as that person, once: the
 * draft is claimed by compare-and-set (pending → sending) before the effect, so a second click is told it was
 * already sent. A person may edit the draft's text fields when sending.
 */
const editsSchema = z.record(z.string().max(40), z.string().max(LIMITS.description)).optional();

function view(d: Draft): DraftView {
  return { id: d.id, kind: d.kind, summary: d.summary, status: d.status, input: structuredClone(d.input), editable: [...kindSpec(d.kind).editable], staffId: d.staffId, threadKey: d.threadKey, expiresAt: d.expiresAt, outcome: d.outcome, decidedBy: d.decidedBy?.id };
}

export function createDrafts(ctx: SupportContext, ops: DraftOps): Support['drafts'] {
  const find = (id: string) => {
    const d = ctx.store.read().drafts.find((x) => x.id === id);
    if (!d) throw new AppError('not_found', `No draft ${id} was found.`);
    return d;
  };

  return {
    async create(caller: Caller, rctx: RequestContext, kind: DraftKind, raw: unknown) {
      const staff = requireStaff(ctx, caller);
      const k = parseInput(draftKindSchema, kind, 'draft kind');
      const spec = kindSpec(k);
      const input = parseInput(spec.schema, raw, 'draft');
      return ctx.store.update((db) => {
        const now = ctx.now();
        const draft: Draft = {
          id: newId('drf'), kind: k, input, summary: redactSecrets(spec.summary(input)).text, staffId: staff.staffId,
          ...(rctx.threadKey ? { threadKey: rctx.threadKey.slice(0, 500) } : {}),
          createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ctx.approvalTtlMinutes * 60_000).toISOString(), status: 'pending',
        };
        db.drafts.push(draft);
        recordAudit(db, now, actorOf(staff), 'draft.create', `draft:${draft.id}`, { kind: k });
        return view(draft);
      });
    },

    get(caller, draftId) {
      requireStaff(ctx, caller);
      return view(find(parseInput(idString, draftId, 'draft id')));
    },

    async send(caller, draftId, rawEdits) {
      const staff = requireStaff(ctx, caller);
      const id = parseInput(idString, draftId, 'draft id');
      const edits = parseInput(editsSchema, rawEdits, 'edits') ?? {};
      const claimed = await ctx.store.update((db) => {
        const d = db.drafts.find((x) => x.id === id);
        if (!d) throw new AppError('not_found', `No draft ${id} was found.`);
        if (d.status !== 'pending') throw new AppError('already_decided', `Draft ${id} was already ${d.status}${d.decidedBy ? ` by ${d.decidedBy.id}` : ''}.`, { status: d.status });
        const now = ctx.now();
        if (Date.parse(d.expiresAt) <= now.getTime()) {
          d.status = 'expired'; // the only change: recorded, then refused below
          return 'expired' as const;
        }
        const spec = kindSpec(d.kind);
        const unknown = Object.keys(edits).filter((f) => !spec.editable.includes(f));
        if (unknown.length) throw new AppError('bad_input', `These fields of a ${d.kind} draft cannot be edited: ${unknown.join(', ')}.`);
        const input = parseInput(spec.schema, { ...d.input, ...edits }, 'draft');
        // All checks done: from here on, mutate.
        d.status = 'sending';
        d.decidedBy = actorOf(staff);
        d.decidedAt = now.toISOString();
        if (Object.keys(edits).length) d.input = input;
        recordAudit(db, now, actorOf(staff), 'draft.send', `draft:${d.id}`, { kind: d.kind, edited: Object.keys(edits) });
        return { kind: d.kind, input };
      });
      if (claimed === 'expired') throw new AppError('expired', `Draft ${id} has expired; ask the assistant for a new one.`);
      let outcome: string;
      try {
        outcome = await kindSpec(claimed.kind).run(ops, staff, claimed.input);
      } catch (err) {
        const message = isAppError(err) ? err.message : 'The step failed.';
        await ctx.store.update((db) => {
          const d = db.drafts.find((x) => x.id === id);
          if (d) Object.assign(d, { status: 'failed', outcome: message.slice(0, 2000) });
        });
        throw err;
      }
      return ctx.store.update((db) => {
        const d = db.drafts.find((x) => x.id === id) as Draft;
        Object.assign(d, { status: 'sent', outcome: outcome.slice(0, 2000) });
        return view(d);
      });
    },

    async discard(caller, draftId) {
      const staff = requireStaff(ctx, caller);
      const id = parseInput(idString, draftId, 'draft id');
      return ctx.store.update((db) => {
        const d = db.drafts.find((x) => x.id === id);
        if (!d) throw new AppError('not_found', `No draft ${id} was found.`);
        if (d.status !== 'pending') throw new AppError('already_decided', `Draft ${id} was already ${d.status}.`, { status: d.status });
        const now = ctx.now();
        Object.assign(d, { status: 'discarded', decidedBy: actorOf(staff), decidedAt: now.toISOString() });
        recordAudit(db, now, actorOf(staff), 'draft.discard', `draft:${d.id}`, { kind: d.kind });
        return view(d);
      });
    },

    async setStaffMessage(draftId, ref) {
      await ctx.store.update((db) => {
        const d = db.drafts.find((x) => x.id === draftId);
        if (d) d.staffMessage = { channel: ref.channel.slice(0, 100), ts: ref.ts.slice(0, 100) };
      });
    },
  };
}
