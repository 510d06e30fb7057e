/**
 * `ThreadLookup` for the analysis, over the channel's Message-ID index (received and sent mail) and the support
 * tickets that name an email thread. Read-only.
 */
import type { Repositories } from '../../../store/repos/index.js';
import type { ThreadLookup } from '../analysis/analyze-types.js';
import { domainOf } from '../outbound/compose-reply.js';
import { normalizeMessageId } from './message-ids.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Most Message-IDs looked up for one message (the index answers at most 100 at once). */
const MAX_IDS = 100;

export function createThreadLookup(repos: Repositories, from: string): ThreadLookup {
  // Our own ids look like <uuid@from-domain>: recognised even after the index dropped them.
  const ownPattern = new RegExp(`^<${UUID}@${domainOf(from).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>$`, 'i');
  const threadOf = async (threadKey: string) => {
    const t = await repos.email.thread(threadKey);
    return t ? { threadKey, customerEmail: t.customerEmail } : undefined;
  };
  return {
    async threadForMessageIds(ids) {
      const wanted = [...new Set(ids.map(normalizeMessageId).filter(Boolean))].slice(0, MAX_IDS);
      if (wanted.length === 0) return undefined;
      for (const hit of await repos.email.lookupMessageIds(wanted)) {
        const t = await threadOf(hit.threadKey);
        if (t) return t;
      }
      return undefined;
    },
    async threadForTicket(ticketId) {
      const key = (await repos.tickets.get(ticketId.toUpperCase()))?.threadKey;
      return key?.startsWith('email:') ? threadOf(key) : undefined;
    },
    async isOwnMessageId(id) {
      const norm = normalizeMessageId(id);
      if (!norm) return false;
      if (ownPattern.test(norm)) return true;
      const [hit] = await repos.email.lookupMessageIds([norm]);
      return hit?.dir === 'out';
    },
  };
}
