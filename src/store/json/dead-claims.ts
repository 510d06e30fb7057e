import type { MemoryState } from '../memory/state.js';

/**
 * The JSON file has one process at a time (its lock proves it): every outbox claim and live lease found in the file
 * at open belongs to a process that is gone (SIGKILLed, crashed). Free them, so the new process sends that mail and
 * takes those leases now, rather than when they would have run out (an outbox claim lasts minutes). Run in
 * `core.setup` after the document and journal are loaded. Returns how many were freed.
 */
export function releaseDeadClaims(s: MemoryState, now: Date): { claims: number; leases: number } {
  const at = now.toISOString();
  let claims = 0;
  let leases = 0;
  for (const o of s.outbox.scan()) {
    if (o.claimedBy === undefined && o.claimedUntil === undefined) continue;
    const { claimedBy: _by, claimedUntil: _until, ...rest } = o;
    s.outbox.put(rest);
    claims++;
  }
  for (const l of s.leases.scan()) {
    if (Date.parse(l.until) <= now.getTime()) continue;
    s.leases.put({ ...l, until: at });
    leases++;
  }
  return { claims, leases };
}
