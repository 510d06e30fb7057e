/**
 * The business layer. `createSupport(deps)` wires one module per area into the `Support` interface.
 */
import type { Support } from './api.js';
import { createAccounts } from './accounts.js';
import { createAnalytics } from './analytics.js';
import { createApprovals } from './approvals.js';
import { createAudit } from './audit.js';
import { createCards } from './cards.js';
import { callerIsStaff } from './authority.js';
import { toContext, type SupportDeps } from './context.js';
import { createDrafts } from './drafts.js';
import { createKb } from './kb.js';
import { createSystemMail } from './link-mint.js';
import { createMetrics } from './metrics.js';
import { createNotes } from './notes.js';
import { createPasswords } from './passwords.js';
import { createTickets } from './tickets.js';

export function createSupport(deps: SupportDeps): Support {
  const ctx = toContext(deps);
  const analytics = createAnalytics();
  const tickets = createTickets(ctx, analytics.analyze);
  const notes = createNotes(ctx);
  return {
    accounts: createAccounts(ctx),
    cards: createCards(ctx),
    approvals: createApprovals(ctx),
    passwords: createPasswords(ctx),
    tickets,
    notes,
    drafts: createDrafts(ctx, { tickets, notes }),
    analytics,
    kb: createKb(deps.kbDir),
    metrics: createMetrics(ctx),
    audit: createAudit(ctx),
    systemMail: createSystemMail(ctx),
    isStaff: (caller) => callerIsStaff(ctx, caller),
  };
}

export type { SupportDeps } from './context.js';
export type * from './api.js';
export { actorOf, SYSTEM_ACTOR, type Caller, type RequestContext } from './caller.js';
export { formatMinor, minorDigits } from './money.js';
export { maskEmail } from './approval-decide.js';
export { actionPhrase, isCardAction } from './approval-rules.js';
export { LINK_PLACEHOLDER, NO_LINK, type SystemMailRenderer } from './link-mint.js';
