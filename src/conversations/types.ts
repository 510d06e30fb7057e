import type { Approval, Channel, Draft, TicketDelivery } from '../store/schema.js';
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

/**
 * Implemented by each channel: put text into the thread it owns. Must be safe to call again for a retry.
 * Called only once the reply is recorded (a resolved repository write), so it may leave the process at once.
 */
export interface DeliverPort {
  deliver(threadKey: string, reply: OutboundReply): Promise<void>;
}

/** Implemented per channel: turn a sender into the caller the MCP server acts for. */
export interface IdentityResolver {
  resolve(sender: Sender, msg: InboundMessage): Promise<Caller>;
}

/**
 * The channels conversations deliver through and resolve senders with. Channels are built after conversations (they
 * take it), so the composition hands over one object bound once to what the channel wiring returned
 * (src/wiring/channel-ports.ts); `channelPorts` builds one from fixed tables.
 */
export interface ChannelPorts {
  /** The channel that owns threads whose key starts with `prefix:` (`slack`, `email`, `terminal`). */
  delivery(prefix: string): DeliverPort | undefined;
  resolver(channel: Channel): IdentityResolver | undefined;
}

/** Implemented by the staff-facing channel (Slack, or the terminal): approvals to decide, alerts to read. */
export interface StaffNotifier {
  approvalRequested(approval: Approval): Promise<void>;
  /** Drafts a staff turn opened in `threadKey`: show them there with Send / Discard (the notifier owning that thread). */
  draftsReady?(threadKey: string, drafts: Draft[]): Promise<void>;
  alert(text: string, details?: Record<string, unknown>): Promise<void>;
}

export interface NotifyOptions {
  /** Names what is delivered (e.g. `ticket-reply:<message id>`), so a retry of the same delivery is not posted twice. */
  sourceId?: string | undefined;
  /** An earlier attempt may already have delivered it (the channel checks before posting again, where it can). */
  maybeDelivered?: boolean | undefined;
}

/** What became of one public staff reply on a ticket, with a sentence for the staff member who sent it. */
export interface ReplyDelivery {
  ticketId: string;
  messageId: string;
  delivery: TicketDelivery;
  /** Plain words for staff: where it went, or that it did not reach the customer and why. */
  notice: string;
}

/** What channels call. `handle` resolves once the message is durably accepted (ledger written), not when answered. */
export interface ConversationsPort {
  handle(msg: InboundMessage): Promise<{ accepted: boolean; reason?: 'duplicate' | 'busy' | 'stopped' | undefined }>;
  /** Tell a thread something outside a model turn (e.g. an approval decision); routed to the owning channel. */
  notifyThread(threadKey: string, text: string, opts?: NotifyOptions): Promise<void>;
  /**
   * Deliver a ticket's public staff replies that wait for delivery, each once, on the customer's channel, and record
   * the outcome on the message (src/conversations/ticket-replies.ts). Staff surfaces call it after storing a reply.
   */
  deliverStaffReplies(ticketId: string): Promise<ReplyDelivery[]>;
  /** Whether this thread already has a conversation (kept in the repositories, so it survives restarts). */
  hasThread(threadKey: string): Promise<boolean>;
}

/**
 * What happens in a thread, for a channel that shows it live (the web channel). The turn's own events come first:
 * `text` (pieces of the reply as the model writes it, already through the outbound policy), `retract` (the pieces of
 * this message since the last retract are void: the model went on to use a tool, was restarted, or the thread was
 * handed to a person), `working` (a tool started: its name only), `tool_done`, `turn_done` / `turn_failed`. Then
 * everything delivered into the thread (`message`: the reply as recorded, notices such as an approval decision,
 * holding and busy replies), once each.
 */
export type ThreadEventBody =
  | { type: 'text'; messageId: string; text: string }
  | { type: 'retract'; messageId: string }
  | { type: 'working'; messageId: string; tool: string }
  | { type: 'tool_done'; messageId: string; tool: string; ok: boolean }
  | { type: 'turn_done'; messageId: string; handoff: boolean }
  | { type: 'turn_failed'; messageId: string; code: string }
  | { type: 'message'; kind: ReplyKind; text: string; inReplyToId?: string | undefined };

/**
 * One event of a thread. `seq` rises by one per event of the thread's `stream`; `id` (`<stream>:<seq>`) is the cursor a
 * client resumes after. A new `stream` begins when the process starts (or forgets an idle thread).
 */
export type ThreadEvent = ThreadEventBody & { threadKey: string; stream: string; seq: number; id: string; at: string };

/** Sent first to a subscriber whose cursor cannot be resumed (another process lifetime, or too far behind): reload the history. */
export interface ThreadResync { type: 'resync'; threadKey: string }

export type ThreadEventListener = (event: ThreadEvent | ThreadResync) => void;

/** Implemented by conversations: live events of a thread, resumable after a cursor (see docs/architecture.md). */
export interface ThreadEventsPort {
  /**
   * Calls `listener` with every later event of the thread. With `after` (an event id), first replays the events after
   * it, or sends a `resync` when they are no longer all kept. Returns the function that ends the subscription.
   */
  subscribe(threadKey: string, listener: ThreadEventListener, opts?: { after?: string | undefined }): () => void;
  /** The id of the thread's latest event (to hand out with its history, so a subscription can start exactly there). */
  cursor(threadKey: string): string;
  /**
   * Resolves once the thread is watched here and every instance sharing the store knows it (so events another
   * instance produces from then on reach this one's subscribers); at once with one process. Never rejects.
   */
  watching(threadKey: string): Promise<void>;
}

/** Read-only customer lookups for identity resolution (wired from support in src/wiring/directory.ts). */
export interface CustomerRef { id: string; name: string; email: string; slackUserId?: string | undefined }
export interface CustomerDirectory {
  bySlackUserId(slackUserId: string): Promise<CustomerRef | undefined>;
  byEmail(email: string): Promise<CustomerRef | undefined>;
  byId(customerId: string): Promise<CustomerRef | undefined>;
}

/** Opens an MCP session (in-process) for a caller; wired in main.ts from src/mcp. */
export type ConnectTools = (caller: Caller, ctx: RequestContext) => Promise<{ client: import('../agent/types.js').ToolClient; close(): Promise<void> }>;

/**
 * A mail put in the local dev mailbox instead of being sent (no mail server configured, not production): what the
 * email channel's dev mailbox hands out, the terminal prints and the HTTP page shows.
 */
export interface DevMail {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  /** When it reached the dev mailbox (ISO). */
  at: string;
}
