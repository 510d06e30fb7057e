/** The memory engine's tables and their indexes (the indexes a server database would have). */
import type {
  Account, AddressChange, ApiKey, Approval, AuditEntry, Card, Conversation, Customer, Draft, Note, Processed, QuarantineEntry,
  ResetToken, Ticket, Transaction,
} from '../schema.js';
import type { EmailDecision, EmailThread, MailboxState, MessageIdEntry } from '../repos/email.js';
import type { Undeliverable } from '../repos/email-limits.js';
import type { Lease } from '../repos/leases.js';
import type { OutboxRecord } from '../repos/outbox.js';
import type { Core } from './core.js';
import { createTable, type Table, type TableOptions } from './table.js';

export interface BudgetRow { key: string; times: string[] }
export interface AlertRow { key: string; until: string }
export interface SlackThreadRow { threadRef: string; at: string }
export interface SlackPostedRow { chunkKey: string; ts: string; at: string }

export interface MemoryState {
  customers: Table<Customer>;
  accounts: Table<Account>;
  cards: Table<Card>;
  transactions: Table<Transaction>;
  tickets: Table<Ticket>;
  notes: Table<Note>;
  approvals: Table<Approval>;
  resetTokens: Table<ResetToken>;
  addressChanges: Table<AddressChange>;
  drafts: Table<Draft>;
  audit: Table<AuditEntry>;
  conversations: Table<Conversation>;
  ledger: Table<Processed>;
  mailboxes: Table<MailboxState>;
  decisions: Table<EmailDecision>;
  emailThreads: Table<EmailThread>;
  messageIds: Table<MessageIdEntry>;
  undeliverable: Table<Undeliverable>;
  budget: Table<BudgetRow>;
  budgetAlerts: Table<AlertRow>;
  outbox: Table<OutboxRecord>;
  quarantine: Table<QuarantineEntry>;
  slackThreads: Table<SlackThreadRow>;
  slackPosted: Table<SlackPostedRow>;
  leases: Table<Lease>;
  apiKeys: Table<ApiKey>;
  /** The ticket sequence: the next number it hands out. Outside transactions (never rolled back, like a database sequence). */
  ticketSeq: { next: number };
  /** The engine's clock (leases). */
  clock: () => Date;
}

const unfinished = (p: Processed) => p.status === 'received' || p.status === 'queued';
const byId = { key: (r: { id: string }) => r.id };

export function createState(core: Core, clock: () => Date): MemoryState {
  const t = <T>(name: string, opts: TableOptions<T>): Table<T> => createTable(name, opts, core.undo);
  return {
    customers: t<Customer>('customers', {
      ...byId,
      indexes: { email: (c) => c.email.trim().toLowerCase(), slack: (c) => c.slackUserId || undefined },
      unique: ['email', 'slack'],
    }),
    accounts: t<Account>('accounts', { ...byId, indexes: { customer: (a) => a.customerId } }),
    cards: t<Card>('cards', { ...byId, indexes: { customer: (c) => c.customerId } }),
    transactions: t<Transaction>('transactions', { ...byId, indexes: { account: (x) => x.accountId } }),
    tickets: t<Ticket>('tickets', {
      ...byId,
      indexes: {
        customer: (x) => x.customerId ?? undefined,
        status: (x) => x.status,
        thread: (x) => x.threadKey,
        contact: (x) => (x.customerId === null && x.contact ? x.contact.trim().toLowerCase() : undefined),
      },
    }),
    notes: t<Note>('notes', { ...byId, indexes: { customer: (n) => n.customerId } }),
    approvals: t<Approval>('approvals', { ...byId, indexes: { status: (a) => a.status, customer: (a) => a.customerId } }),
    resetTokens: t<ResetToken>('resetTokens', { ...byId, indexes: { approval: (r) => r.approvalId } }),
    addressChanges: t<AddressChange>('addressChanges', { ...byId, indexes: { customerStatus: (c) => `${c.customerId}\u0000${c.status}` } }),
    drafts: t<Draft>('drafts', byId),
    audit: t<AuditEntry>('audit', { ...byId, indexes: { target: (e) => e.target } }),
    conversations: t<Conversation>('conversations', { key: (c) => c.threadKey, indexes: { live: (c) => (c.messages.length > 0 ? 'live' : undefined), customer: (c) => (c.callerKind === 'customer' ? c.customerId : undefined) } }),
    ledger: t<Processed>('ledger', {
      ...byId,
      indexes: { unfinished: (p) => (unfinished(p) ? 'unfinished' : undefined), unfinishedThread: (p) => (unfinished(p) ? p.threadKey : undefined) },
    }),
    mailboxes: t<MailboxState>('mailboxes', { key: (m) => m.mailbox }),
    decisions: t<EmailDecision>('decisions', { key: (d) => d.messageId }),
    emailThreads: t<EmailThread>('emailThreads', { key: (x) => x.threadKey }),
    messageIds: t<MessageIdEntry>('messageIds', { key: (m) => m.messageId }),
    undeliverable: t<Undeliverable>('undeliverable', { key: (u) => u.address }),
    budget: t<BudgetRow>('budget', { key: (b) => b.key }),
    budgetAlerts: t<AlertRow>('budgetAlerts', { key: (a) => a.key }),
    outbox: t<OutboxRecord>('outbox', {
      ...byId,
      indexes: {
        pending: (o) => (o.status === 'pending' ? 'pending' : undefined),
        pendingThread: (o) => (o.status === 'pending' ? o.threadKey : undefined),
        dev: (o) => (o.status === 'dev' ? o.threadKey : undefined),
        reply: (o) => (o.payload.sourceId && o.payload.replyKind ? `${o.threadKey}\u0000${o.payload.sourceId}\u0000${o.payload.replyKind}` : undefined),
        messageId: (o) => o.payload.messageId?.toLowerCase() || undefined,
      },
      unique: ['reply'],
    }),
    quarantine: t<QuarantineEntry>('quarantine', byId),
    slackThreads: t<SlackThreadRow>('slackThreads', { key: (s) => s.threadRef }),
    slackPosted: t<SlackPostedRow>('slackPosted', { key: (s) => s.chunkKey }),
    leases: t<Lease>('leases', { key: (l) => l.name }),
    apiKeys: t<ApiKey>('apiKeys', byId),
    ticketSeq: { next: 1001 },
    clock,
  };
}
