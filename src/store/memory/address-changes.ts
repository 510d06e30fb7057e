import type { AddressChangeRepository } from '../repos/address-changes.js';
import { instant } from '../repos/common.js';
import { MAX_LINK_SECRETS } from '../schema.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

export function memoryAddressChanges(s: MemoryState, run: Run): AddressChangeRepository {
  return {
    create: (change) => run(() => { s.addressChanges.insert(change); }),
    get: (id) => run(() => s.addressChanges.get(id)),

    addSecret: (id, tokenHash, { unexpiredAt }) => run(() => {
      const c = s.addressChanges.get(id);
      if (c?.status !== 'pending' || instant(c.expiresAt) <= instant(unexpiredAt, 'unexpiredAt') || c.tokenHashes.length >= MAX_LINK_SECRETS) return undefined;
      s.addressChanges.put({ ...c, tokenHashes: [...c.tokenHashes, tokenHash] });
      return c.tokenHashes.length;
    }),

    supersedePending: (customerId, at) => run(() => {
      const pending = s.addressChanges.where('customerStatus', `${customerId}\u0000pending`)
        .sort((a, b) => instant(a.requestedAt) - instant(b.requestedAt));
      for (const c of pending) s.addressChanges.put({ ...c, status: 'superseded', supersededAt: at });
      return pending.map((c) => c.id);
    }),

    confirm: (id, c) => run(() => {
      const change = s.addressChanges.get(id);
      if (!change || (c.customerId !== undefined && change.customerId !== c.customerId)) return { won: false as const, record: undefined };
      if (change.status !== 'pending' || instant(change.expiresAt) <= instant(c.confirmedAt, 'confirmedAt')) return { won: false as const, record: change };
      return { won: true as const, record: s.addressChanges.put({ ...change, status: 'confirmed', confirmedAt: c.confirmedAt, confirmedVia: c.confirmedVia }) };
    }),
  };
}
