import type { Conversation } from '../schema.js';
import { checkLimit, instant } from '../repos/common.js';
import type { ConversationRepository } from '../repos/conversations.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';
import { cmp } from './util.js';

function fresh(threadKey: string, channel: Conversation['channel'], at: string): Conversation {
  return {
    threadKey, channel, callerKind: 'anonymous', createdAt: at, updatedAt: at, messages: [],
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 }, meta: {},
  };
}

export function memoryConversations(s: MemoryState, run: Run): ConversationRepository {
  return {
    get: (threadKey) => run(() => s.conversations.get(threadKey)),
    exists: (threadKey) => run(() => s.conversations.has(threadKey)),

    touch: (threadKey, t) => run(() => {
      const c = s.conversations.get(threadKey) ?? fresh(threadKey, t.channel, t.at);
      const next: Conversation = { ...c, callerKind: t.callerKind, meta: { ...c.meta, ...t.meta }, updatedAt: t.at };
      if (t.customerId !== undefined) next.customerId = t.customerId;
      return s.conversations.put(next);
    }),

    saveTranscript: (threadKey, w) => run(() => {
      const c = s.conversations.get(threadKey) ?? fresh(threadKey, w.channel, w.at);
      const meta: Record<string, unknown> = { ...c.meta, ...w.touch?.meta, appliedMessageIds: w.appliedMessageIds };
      for (const k of w.unsetMeta ?? []) delete meta[k];
      const next: Conversation = { ...c, messages: w.messages, usage: w.usage, meta, updatedAt: w.at };
      if (w.touch) next.callerKind = w.touch.callerKind;
      if (w.touch?.customerId !== undefined) next.customerId = w.touch.customerId;
      if (w.summary === undefined) delete next.summary;
      else next.summary = w.summary;
      return s.conversations.put(next);
    }),

    patchMeta: (threadKey, p) => run(() => {
      const c = s.conversations.get(threadKey);
      if (!c) return false;
      const meta = { ...c.meta, ...p.set };
      for (const k of p.unset ?? []) delete meta[k];
      s.conversations.put({ ...c, meta });
      return true;
    }),

    listLive: (limit, after) => run(() => {
      checkLimit(limit);
      const from = after ? instant(after.updatedAt, 'after.updatedAt') : -Infinity;
      return s.conversations.where('live', 'live')
        .map((c) => ({ c, t: instant(c.updatedAt) }))
        .filter(({ c, t }) => !after || t > from || (t === from && cmp(c.threadKey, after.threadKey) > 0))
        .sort((a, b) => a.t - b.t || cmp(a.c.threadKey, b.c.threadKey))
        .slice(0, limit)
        .map(({ c }) => ({ threadKey: c.threadKey, updatedAt: c.updatedAt, chars: JSON.stringify(c.messages).length }));
    }),

    listForCustomer: (customerId, limit) => run(() => {
      checkLimit(limit);
      return s.conversations.where('customer', customerId)
        .sort((a, b) => instant(b.updatedAt) - instant(a.updatedAt) || cmp(a.threadKey, b.threadKey))
        .slice(0, limit)
        .map((c) => ({ threadKey: c.threadKey, channel: c.channel, createdAt: c.createdAt, updatedAt: c.updatedAt }));
    }),

    compact: (threadKey, k) => run(() => {
      const c = s.conversations.get(threadKey);
      if (!c || instant(c.updatedAt) !== instant(k.expectUpdatedAt, 'expectUpdatedAt')) return { won: false as const, record: c };
      const { appliedMessageIds: _applied, ...meta } = c.meta;
      const next: Conversation = { ...c, messages: [], meta: { ...meta, compactedAt: k.at } };
      if (k.summary === undefined) delete next.summary;
      else next.summary = k.summary;
      return { won: true as const, record: s.conversations.put(next) };
    }),
  };
}

