import type { Approval, Channel, Draft } from '../store/schema.js';
import type { Caller, RequestContext } from '../support/caller.js';

/** Who sent a message, as the channel saw it. `verified` is the channel's judgement (Slack: always; email: DMARC/DKIM). */
export interface Sender {
  /** Slack user id, email address, or terminal user handle. */
  id: string;
  verified: boolean;
  displayName?: string | undefined;
  /** Email address when known (email channel, or a Slack profile's verified email). */
  email?: string | undefined;
}

/** A channel-neutral inbound message. `id` is stable across redeliveries. */
export interface InboundMessage {
  id: string;
  channel: Channel;
  /** `slack:<team>:<channel>:<thread_ts>`, `email:<root message-id>`, `terminal:<user>`. */
  threadKey: string;
  sender: Sender;
  text: string;
  receivedAt: string;
  /** Channel-specific facts the channel wants kept on the conversation (e.g. email subject, message ids). */
  meta?: Record<string, unknown> | undefined;
}

export type ReplyKind = 'reply' | 'holding' | 'busy' | 'notice';
export interface OutboundReply {
  text: string;
  kind: ReplyKind;
  inReplyToId?: string | undefined;
  /** The channel's own metadata of the message replied to (e.g. its Slack channel and ts), as received. */
  inReplyToMeta?: Record<string, unknown> | undefined;
  /**
   * An earlier attempt may already have delivered this reply (the process stopped between delivering it and
   * recording that): a channel that can look up what it posted should do so and not post it twice.
   */
  maybeDelivered?: boolean | undefined;
}

/** Implemented by each channel: put text into the thread it owns. Must be safe to call again for a retry. */
export interface DeliverPort {
  deliver(threadKey: string, reply: OutboundReply): Promise<void>;
  /**
   * True when `deliver` only queues the reply in the same store (nothing leaves the process before that
   * queue entry is durable, e.g. the email outbox). Then the reply's ledger record need not be on disk
   * before `deliver` runs: the store's writes keep their order, so the queue entry never lands without it.
   */
  readonly queuesInStore?: boolean | undefined;
}

/** Implemented per channel: turn a sender into the caller the MCP server acts for. */
export interface IdentityResolver {
  resolve(sender: Sender, msg: InboundMessage): Promise<Caller>;
}

/** Implemented by the staff-facing channel (Slack, or the terminal): approvals to decide, alerts to read. */
export interface StaffNotifier {
  approvalRequested(approval: Approval): Promise<void>;
  /** Drafts a staff turn opened in `threadKey`: show them there with Send / Discard (the notifier owning that thread). */
  draftsReady?(threadKey: string, drafts: Draft[]): Promise<void>;
  alert(text: string, details?: Record<string, unknown>): Promise<void>;
}

/** What channels call. `handle` resolves once the message is durably accepted (ledger written), not when answered. */
export interface ConversationsPort {
  handle(msg: InboundMessage): Promise<{ accepted: boolean; reason?: 'duplicate' | 'busy' | 'stopped' | undefined }>;
  /** Tell a thread something outside a model turn (e.g. an approval decision); routed to the owning channel. */
  notifyThread(threadKey: string, text: string): Promise<void>;
  /** Whether this thread already has a conversation (kept in the store, so it survives restarts). Synchronous. */
  hasThread(threadKey: string): boolean;
}

/** Read-only customer lookups for identity resolution (wired from support in main.ts). */
export interface CustomerRef { id: string; name: string; email: string; slackUserId?: string | undefined }
export interface CustomerDirectory {
  bySlackUserId(slackUserId: string): CustomerRef | undefined;
  byEmail(email: string): CustomerRef | undefined;
  byId(customerId: string): CustomerRef | undefined;
}

/** Opens an MCP session (in-process) for a caller; wired in main.ts from src/mcp. */
export type ConnectTools = (caller: Caller, ctx: RequestContext) => Promise<{ client: import('../agent/types.js').ToolClient; close(): Promise<void> }>;
