import { checkLimit } from '../repos/common.js';
import type { QuarantineRepository } from '../repos/quarantine.js';
import type { Run } from './core.js';
import type { MemoryState } from './state.js';

export function memoryQuarantine(s: MemoryState, run: Run): QuarantineRepository {
  return {
    add: (entry) => run(() => { s.quarantine.insert(entry); }),
    list: (limit) => run(() => {
      checkLimit(limit);
      return s.quarantine.scan().reverse().slice(0, limit);
    }),
    count: () => run(() => s.quarantine.size()),
  };
}
