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
import { replyRoute, routeLabel } from './reply-route.js';
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

/** The refusal of a second decision, in words: `sending` is a draft that an earlier click is sending right now. */
function alreadyDecided(d: Draft): AppError {
  const by = d.decidedBy ? ` by ${d.decidedBy.id}` : '';
  const what = d.status === 'sending' ? `is already being sent${by}` : `was already ${d.status}${by}`;
  return new AppError('already_decided', `Draft ${d.id} ${what}.`, { status: d.status });
}
const expired = (id: string) => new AppError('expired', `Draft ${id} has expired; ask the assistant for a new one.`);

export function createDrafts(ctx: SupportContext, ops: DraftOps): Support['drafts'] {
  const { repos } = ctx;

  /** The view, with where a public ticket reply goes (read now: the ticket's thread or the customer's email may change). */
  const routed = async (d: Draft): Promise<DraftView> => {
    const v = view(d);
    if (d.kind !== 'ticket_response' || d.input['visibility'] !== 'public') return v;
    const ticket = await repos.tickets.get(String(d.input['ticketId']));
    if (!ticket) return v;
    const customer = ticket.customerId && !ticket.threadKey ? await repos.customers.get(ticket.customerId) : undefined;
    const r = replyRoute(ticket, customer?.email, ctx.mailDelivery === 'email');
    return { ...v, route: r.kind === 'none' ? { none: r.reason } : { to: routeLabel(r) ?? 'their conversation' } };
  };
  const find = async (id: string) => {
    const d = await repos.drafts.get(id);
    if (!d) throw new AppError('not_found', `No draft ${id} was found.`);
    return d;
  };

  /**
   * Claims the draft for sending: compare-and-set pending → sending while unexpired, with its audit entry. One click
   * wins; a draft found expired is marked so (committed) and 'expired' returned.
   */
  const claim = (staff: Caller, d: Draft, input: Record<string, unknown>, edited: string[]) => repos.transaction(async (tx) => {
    const now = ctx.now();
    const won = await tx.drafts.transition(d.id, 'pending', {
      status: 'sending', decidedBy: actorOf(staff), decidedAt: now.toISOString(), ...(edited.length ? { input } : {}),
    }, { unexpiredAt: now.toISOString() });
    if (!won.won) {
      if (!won.record) throw new AppError('not_found', `No draft ${d.id} was found.`);
      if (won.record.status !== 'pending') throw alreadyDecided(won.record);
      await tx.drafts.transition(d.id, 'pending', { status: 'expired' });
      return 'expired' as const;
    }
    await recordAudit(tx, now, actorOf(staff), 'draft.send', `draft:${d.id}`, { kind: d.kind, edited });
    return won.record;
  });

  /** Records the outcome of a claimed draft (sending → sent | failed). */
  const finish = async (id: string, status: 'sent' | 'failed', outcome: string) => {
    const done = await repos.drafts.transition(id, 'sending', { status, outcome: outcome.slice(0, 2000) });
    return done.record ?? find(id);
  };

  return {
    async create(caller: Caller, rctx: RequestContext, kind: DraftKind, raw: unknown) {
      const staff = requireStaff(ctx, caller);
      const k = parseInput(draftKindSchema, kind, 'draft kind');
      const spec = kindSpec(k);
      const input = parseInput(spec.schema, raw, 'draft');
      return repos.transaction(async (tx) => {
        const now = ctx.now();
        const draft: Draft = {
          id: newId('drf'), kind: k, input, summary: redactSecrets(spec.summary(input)).text, staffId: staff.staffId,
          ...(rctx.threadKey ? { threadKey: rctx.threadKey.slice(0, 500) } : {}),
          createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ctx.approvalTtlMinutes * 60_000).toISOString(), status: 'pending',
        };
        await tx.drafts.create(draft);
        await recordAudit(tx, now, actorOf(staff), 'draft.create', `draft:${draft.id}`, { kind: k });
        return view(draft);
      });
    },

    async get(caller, draftId) {
      requireStaff(ctx, caller);
      return routed(await find(parseInput(idString, draftId, 'draft id')));
    },

    async send(caller, draftId, rawEdits) {
      const staff = requireStaff(ctx, caller);
      const id = parseInput(idString, draftId, 'draft id');
      const edits = parseInput(editsSchema, rawEdits, 'edits') ?? {};
      const d = await find(id);
      if (d.status !== 'pending') throw alreadyDecided(d);
      if (Date.parse(d.expiresAt) <= ctx.now().getTime()) {
        // the only change: recorded, then refused (unless someone decided it meanwhile)
        const marked = await repos.drafts.transition(id, 'pending', { status: 'expired' });
        if (!marked.won && marked.record && marked.record.status !== 'expired') throw alreadyDecided(marked.record);
        throw expired(id);
      }
      const spec = kindSpec(d.kind);
      const unknown = Object.keys(edits).filter((f) => !spec.editable.includes(f));
      if (unknown.length) throw new AppError('bad_input', `These fields of a ${d.kind} draft cannot be edited: ${unknown.join(', ')}.`);
      const input = parseInput(spec.schema, { ...d.input, ...edits }, 'draft');
      const claimed = await claim(staff, d, input, Object.keys(edits));
      if (claimed === 'expired') throw expired(id);
      let outcome: string;
      try {
        outcome = await spec.run(ops, staff, input);
      } catch (err) {
        await finish(id, 'failed', isAppError(err) ? err.message : 'The step failed.');
        throw err;
      }
      return routed(await finish(id, 'sent', outcome));
    },

    async discard(caller, draftId) {
      const staff = requireStaff(ctx, caller);
      const id = parseInput(idString, draftId, 'draft id');
      return repos.transaction(async (tx) => {
        const now = ctx.now();
        const done = await tx.drafts.transition(id, 'pending', { status: 'discarded', decidedBy: actorOf(staff), decidedAt: now.toISOString() });
        if (!done.won) {
          if (!done.record) throw new AppError('not_found', `No draft ${id} was found.`);
          throw alreadyDecided(done.record);
        }
        await recordAudit(tx, now, actorOf(staff), 'draft.discard', `draft:${id}`, { kind: done.record.kind });
        return view(done.record);
      });
    },

    async setStaffMessage(draftId, ref) {
      await repos.drafts.setStaffMessage(draftId, { channel: ref.channel.slice(0, 100), ts: ref.ts.slice(0, 100) });
    },
  };
}
