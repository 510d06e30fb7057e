/**
 * What support stored, read back through repository queries only (no whole-document read): the audit log names
 * every record a change made (approvals, drafts, reset tokens, address changes, system mails), and the counts and
 * lists of the repositories cover the rest. For "nothing changed" comparisons and for finding what was written.
 */
import type { OutboxRecord, Repositories } from '../../src/store/repos/index.js';
import type { AuditEntry, Ticket } from '../../src/store/schema.js';

const EPOCH = '1970-01-01T00:00:00.000Z';

/** The whole audit log, oldest first (as it was appended). */
export async function auditLog(repos: Repositories): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await repos.audit.list({ limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return out.reverse();
}

/** Every ticket, newest first. */
export async function allTickets(repos: Repositories): Promise<Ticket[]> {
  const out: Ticket[] = [];
  let cursor: string | undefined;
  do {
    const page = await repos.tickets.list({}, { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return out;
}

const ids = (audit: AuditEntry[], prefix: string) =>
  [...new Set(audit.filter((e) => e.target.startsWith(`${prefix}:`)).map((e) => e.target.slice(prefix.length + 1)))];
const detail = (audit: AuditEntry[], action: string, key: string) =>
  [...new Set(audit.filter((e) => e.action === action).map((e) => e.details?.[key]).filter((v): v is string => typeof v === 'string'))];

/** The system mails (reset links, address confirmations and notices) the audited changes queued, oldest first. */
export async function systemMails(repos: Repositories): Promise<OutboxRecord[]> {
  const audit = await auditLog(repos);
  const keys = [
    ...detail(audit, 'password.reset_issued', 'approvalId').map((id) => `password-reset:${id}`),
    ...detail(audit, 'address.change_requested', 'changeId').flatMap((id) => [`address-confirm:${id}`, `address-changed:${id}`]),
  ];
  const found = await Promise.all(keys.map((k) => repos.outbox.findReply(`system:${k}`, k, 'system')));
  return found.filter((o): o is OutboxRecord => o !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Everything support keeps about these customers and what the audit log names, as plain JSON data. */
export async function snapshot(repos: Repositories, customerIds: readonly string[]) {
  const audit = await auditLog(repos);
  const customers = await Promise.all(customerIds.map(async (id) => {
    const accounts = await repos.customers.accountsOf(id);
    return {
      customer: await repos.customers.get(id),
      accounts,
      cards: await repos.customers.cardsOf(id),
      transactions: accounts.length ? await repos.customers.transactions({ accountIds: accounts.map((a) => a.id), limit: 1000 }) : [],
      notes: await repos.notes.listForCustomer(id, 1000),
    };
  }));
  const approvalIds = new Set([...ids(audit, 'approval'), ...(await repos.approvals.listPending(EPOCH, 1000)).map((a) => a.id)]);
  const snap = {
    customers,
    tickets: await allTickets(repos),
    approvals: await Promise.all([...approvalIds].sort().map((id) => repos.approvals.get(id))),
    approvalCounts: await repos.approvals.countByStatus(),
    resetTokens: await Promise.all(detail(audit, 'password.reset_issued', 'resetTokenId').map((id) => repos.resetTokens.get(id))),
    addressChanges: await Promise.all(detail(audit, 'address.change_requested', 'changeId').map((id) => repos.addressChanges.get(id))),
    drafts: await repos.drafts.getMany(ids(audit, 'draft')),
    outbox: { pending: await repos.outbox.countPending(), nextDueAt: await repos.outbox.nextDueAt(), mails: await systemMails(repos) },
    audit,
  };
  return JSON.parse(JSON.stringify(snap)) as typeof snap;
}

export type Snapshot = Awaited<ReturnType<typeof snapshot>>;
