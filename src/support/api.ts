/**
 * The contract of the business layer. `createSupport(deps)` (src/support/index.ts) returns a `Support`.
 * Every operation that touches data is async (the repositories are); the knowledge base and text analysis are not.
 * Every operation validates its input with zod (throwing AppError('bad_input')), checks authority
 * (AppError('forbidden' | 'not_found')), records an audit entry for every change (never a secret),
 * and returns plain data. Customer-scoped operations take the acting customer id from the Caller,
 * never from input.
 */
import type {
  Account, Address, Approval, ApprovalAction, Card, Channel, Customer, Note, Ticket, TicketCategory,
  TicketPriority, TicketStatus, Transaction, AuditEntry, Draft, DraftKind,
} from '../store/schema.js';
import type { Caller, RequestContext } from './caller.js';
import type { SystemMailRenderer } from './link-mint.js';

export interface MaskedCard { id: string; brand: Card['brand']; last4: string; status: Card['status']; expMonth: number; expYear: number; accountId: string }
export interface AccountDetails {
  customer: { id: string; name: string; email: string; phone?: string | undefined; address: Address };
  accounts: Array<Pick<Account, 'id' | 'type' | 'currency' | 'balanceMinor' | 'status'>>;
  cards: MaskedCard[];
}
export interface Balance { accountId: string; type: Account['type']; currency: string; balanceMinor: number; formatted: string }
export interface TransactionQuery { accountId?: string | undefined; limit?: number | undefined; since?: string | undefined; until?: string | undefined }
export interface AddressUpdate { line1: string; line2?: string | undefined; city: string; region?: string | undefined; postalCode: string; country: string }
/** `update_address` only asks: the change waits for the customer's own confirmation (emailed link or terminal `confirm`). */
export interface AddressChangeRequested {
  status: 'pending_confirmation';
  changeId: string;
  address: Address;
  expiresAt: string;
  /** Whether a confirmation link was really emailed to the address on file (false: no mail server — the link is in the dev mailbox, or there is none and only the terminal `confirm` works). */
  linkEmailed: boolean;
  /** What to tell the customer: how to confirm. */
  message: string;
}
export interface AddressChangeConfirmed { changeId: string; customerId: string; address: Address }
export type AddressLinkState =
  | { valid: true; changeId: string; address: Address }
  | { valid: false; reason: 'unknown' | 'used' | 'expired' | 'superseded' };

/** `freeze_card`: the card is frozen now (or already was). */
export interface CardFrozen {
  status: 'frozen';
  cardId: string;
  last4: string;
  /** True when the card was already frozen (nothing changed). */
  alreadyFrozen: boolean;
  /** What to tell the customer: frozen, reversible, how to unfreeze or deactivate. */
  message: string;
}
export interface PendingApprovalResult {
  status: 'pending_approval'; approvalId: string; action: ApprovalAction; expiresAt: string; message: string;
  /** Password changes: where the reset link will go once approved (`dev_mailbox`: no mail server, nothing is emailed). */
  linkDelivery?: 'email' | 'dev_mailbox' | undefined;
}
export interface DecisionResult {
  approval: Approval;
  /** True when this call made the decision; false with `already decided` errors thrown instead. */
  outcome: string;
  /** What to tell the customer in their own thread. */
  customerMessage: string;
  /** Thread to tell (from the approval), if any. */
  threadKey?: string | undefined;
}

export interface NewTicket { subject: string; description: string; priority?: TicketPriority | undefined; channel?: Channel | undefined; contact?: string | undefined; customerId?: string | undefined /* staff only */ }
export interface TicketFilter { status?: TicketStatus | undefined; priority?: TicketPriority | undefined; category?: TicketCategory | undefined; customerId?: string | undefined; channel?: Channel | undefined; limit?: number | undefined }
export interface TicketView extends Ticket { customerName?: string | undefined }
export interface Analysis { sentiment: { score: number; comparative: number; label: 'negative' | 'neutral' | 'positive' }; category: { name: TicketCategory; confidence: number }; priority: TicketPriority }
export interface KbHit { articleId: string; title: string; snippet: string; score: number }
export interface Metrics {
  ticketsByStatus: Record<TicketStatus, number>;
  ticketsByCategory: Record<string, number>;
  ticketsByChannel: Record<string, number>;
  medianFirstResponseMinutes: number | null;
  medianResolutionMinutes: number | null;
  openApprovals: number;
  sentimentTrend: Array<{ day: string; average: number; count: number }>;
  today: { opened: number; resolved: number };
}

/** A staff-session draft as people and code see it. */
export interface DraftView {
  id: string;
  kind: DraftKind;
  summary: string;
  status: Draft['status'];
  input: Record<string, unknown>;
  /** Text fields a person may change before sending. */
  editable: string[];
  staffId: string;
  threadKey?: string | undefined;
  expiresAt: string;
  outcome?: string | undefined;
  /** Who sent or discarded it. */
  decidedBy?: string | undefined;
  /** A public ticket reply: where Send delivers it (`to`, in words), or why it would reach no one (`none`). */
  route?: { to: string } | { none: string } | undefined;
}

export interface Support {
  accounts: {
    details(caller: Caller): Promise<AccountDetails>;
    balance(caller: Caller): Promise<Balance[]>;
    transactions(caller: Caller, q: TransactionQuery): Promise<Transaction[]>;
    /** Records a pending address change and emails the customer a confirmation link; applies nothing. */
    updateAddress(caller: Caller, address: AddressUpdate, ctx?: RequestContext): Promise<AddressChangeRequested>;
    /** The confirmation page (code only): check a link without using it (same scrypt work for an unknown id). */
    inspectAddressChange(token: string): Promise<AddressLinkState>;
    /** The confirmation page (code only): apply the change of a valid link, once. */
    confirmAddressChange(token: string): Promise<AddressChangeConfirmed>;
    /** The terminal's `confirm <id>` (code only): apply the caller's own pending change, once. */
    confirmAddressChangeById(caller: Caller, changeId: string): Promise<AddressChangeConfirmed>;
    findCustomer(caller: Caller, query: string): Promise<Array<Pick<Customer, 'id' | 'name' | 'email' | 'slackUserId'>>>;
    /** Identity lookups for channels (code only, no caller): exact match, case-insensitive email. */
    customerBySlackUserId(slackUserId: string): Promise<Customer | undefined>;
    customerByEmail(email: string): Promise<Customer | undefined>;
    customer(id: string): Promise<Customer | undefined>;
  };
  cards: {
    /** Freeze one of the caller's own cards at once (reversible; unfreezing needs staff approval). Idempotent; a deactivated card is `conflict`. */
    freeze(caller: Caller, ctx: RequestContext, input: { cardId?: string | undefined; last4?: string | undefined }): Promise<CardFrozen>;
  };
  approvals: {
    requestPasswordChange(caller: Caller, ctx: RequestContext, reason: string): Promise<PendingApprovalResult>;
    requestCardDeactivation(caller: Caller, ctx: RequestContext, input: { cardId?: string | undefined; last4?: string | undefined; reason: string }): Promise<PendingApprovalResult>;
    /** Unfreezing a frozen card is staff's decision: opens a `card_unfreeze` approval (a deactivated or active card is `conflict`). */
    requestCardUnfreeze(caller: Caller, ctx: RequestContext, input: { cardId?: string | undefined; last4?: string | undefined; reason: string }): Promise<PendingApprovalResult>;
    /** Pending, unexpired approvals, oldest request first (at most 200). */
    listPending(caller: Caller): Promise<Approval[]>;
    get(caller: Caller, approvalId: string): Promise<Approval>;
    decide(caller: Caller, input: { approvalId: string; decision: 'approve' | 'deny'; note?: string | undefined }): Promise<DecisionResult>;
    /** Record where the staff card was posted (code only). */
    setStaffMessage(approvalId: string, ref: { channel: string; ts: string }): Promise<void>;
    /** Mark pending approvals past expiry as expired; returns the ones changed. */
    expireDue(): Promise<Approval[]>;
  };
  passwords: {
    /** Check a reset token without using it (async: the same scrypt work for an unknown id as for a known one, off the event loop). */
    inspectToken(token: string): Promise<{ valid: true; customerId: string; email: string } | { valid: false; reason: 'unknown' | 'used' | 'expired' }>;
    /** Set a new password with a single-use token (policy: length >= 12, not the email). */
    resetWithToken(token: string, newPassword: string): Promise<{ customerId: string }>;
  };
  tickets: {
    create(caller: Caller, ctx: RequestContext, input: NewTicket): Promise<TicketView>;
    listMine(caller: Caller, filter?: TicketFilter): Promise<TicketView[]>;
    list(caller: Caller, filter: TicketFilter): Promise<TicketView[]>;
    get(caller: Caller, ticketId: string): Promise<TicketView>;
    respond(caller: Caller, input: { ticketId: string; message: string; visibility: 'public' | 'internal'; status?: TicketStatus | undefined; note?: string | undefined }): Promise<TicketView>;
    updateStatus(caller: Caller, input: { ticketId: string; status: TicketStatus; note?: string | undefined }): Promise<TicketView>;
    /** Customer adds a public message to their own ticket. */
    addCustomerMessage(caller: Caller, input: { ticketId: string; message: string }): Promise<TicketView>;
    handle(caller: Caller, ticketId: string): Promise<{ ticket: TicketView; customer: AccountDetails['customer'] | null; notes: Note[]; analysis: Analysis }>;
  };
  /** What a model proposes in a staff session; runs only when a person sends it. */
  drafts: {
    create(caller: Caller, ctx: RequestContext, kind: DraftKind, input: unknown): Promise<DraftView>;
    get(caller: Caller, draftId: string): Promise<DraftView>;
    /** Runs the drafted step as `caller` (with their edits to its text fields), once. */
    send(caller: Caller, draftId: string, edits?: Record<string, string>): Promise<DraftView>;
    discard(caller: Caller, draftId: string): Promise<DraftView>;
    /** Record where the draft's card was posted (code only). */
    setStaffMessage(draftId: string, ref: { channel: string; ts: string }): Promise<void>;
  };
  notes: {
    add(caller: Caller, input: { customerId: string; body: string; ticketId?: string | undefined }): Promise<Note>;
    /** The customer's notes, newest first (at most 200). */
    list(caller: Caller, customerId: string): Promise<Note[]>;
  };
  analytics: { analyze(text: string): Analysis };
  kb: { search(query: string, limit?: number): KbHit[]; article(articleId: string): { articleId: string; title: string; body: string } | undefined };
  metrics: { get(caller: Caller): Promise<Metrics> };
  audit: { list(caller: Caller, limit?: number): Promise<AuditEntry[]> };
  /** The senders of system mail (code only): its one-time link minted right before it leaves (link-mint.ts). */
  systemMail: SystemMailRenderer;
  /** Staff allow-list check used by support for staff-only operations. */
  isStaff(caller: Caller): boolean;
}
