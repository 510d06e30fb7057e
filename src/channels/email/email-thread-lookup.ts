/**
 * `ThreadLookup` for the analysis, over the channel's Message-ID index (received and sent mail) and the
 * support tickets that name an email thread. Read-only.
 */
import type { Store } from '../../store/types.js';
import type { ThreadLookup } from './analyze.js';
import { domainOf } from './compose-reply.js';
import { indexGet, normalizeMessageId, threadGet } from './email-state.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export function createThreadLookup(store: Store, from: string): ThreadLookup {
  // Our own ids look like <uuid@from-domain>: recognised even after the index dropped them.
  const ownPattern = new RegExp(`^<${UUID}@${domainOf(from).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>$`, 'i');
  return {
    threadForMessageIds(ids) {
      const db = store.read();
      for (const id of ids) {
        const hit = indexGet(db, id);
        if (!hit) continue;
        const t = threadGet(db, hit.threadKey);
        if (t) return { threadKey: hit.threadKey, customerEmail: t.customerEmail };
      }
      return undefined;
    },
    threadForTicket(ticketId) {
      const db = store.read();
      const wanted = ticketId.toUpperCase();
      const ticket = db.tickets.find((t) => t.id.toUpperCase() === wanted);
      const key = ticket?.threadKey;
      if (!key?.startsWith('email:')) return undefined;
      const t = threadGet(db, key);
      return t ? { threadKey: key, customerEmail: t.customerEmail } : undefined;
    },
    isOwnMessageId(id) {
      const norm = normalizeMessageId(id);
      if (!norm) return false;
      return ownPattern.test(norm) || indexGet(store.read(), norm)?.dir === 'out';
    },
  };
}
