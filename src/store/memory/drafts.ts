import { AppError } from '../../errors.js';
import type { Draft } from '../schema.js';
import { instant } from '../repos/common.js';
import type { DraftRepository } from '../repos/drafts.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

export function memoryDrafts(s: MemoryState, run: Run): DraftRepository {
  return {
    create: (draft) => run(() => { s.drafts.insert(draft); }),
    get: (id) => run(() => s.drafts.get(id)),

    getMany: (ids) => run(() => {
      if (ids.length > 100) throw new AppError('bad_input', 'At most 100 drafts at once.');
      return ids.map((id) => s.drafts.get(id)).filter((d): d is Draft => d !== undefined);
    }),

    transition: (id, expectStatus, change, opts) => run(() => {
      const d = s.drafts.get(id);
      if (!d || d.status !== expectStatus) return { won: false as const, record: d };
      if (opts?.unexpiredAt !== undefined && instant(d.expiresAt) <= instant(opts.unexpiredAt, 'unexpiredAt')) return { won: false as const, record: d };
      const next: Draft = { ...d, status: change.status };
      if (change.decidedBy !== undefined) next.decidedBy = change.decidedBy;
      if (change.decidedAt !== undefined) next.decidedAt = change.decidedAt;
      if (change.input !== undefined) next.input = change.input;
      if (change.outcome !== undefined) next.outcome = change.outcome;
      return { won: true as const, record: s.drafts.put(next) };
    }),

    setStaffMessage: (id, ref) => run(() => {
      const d = s.drafts.get(id);
      if (!d) return false;
      s.drafts.put({ ...d, staffMessage: { channel: ref.channel, ts: ref.ts } });
      return true;
    }),
  };
}
