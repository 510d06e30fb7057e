import type { LoopKind } from './loop-guard.js';
import type { MailReader } from '../reading/read-mail.js';

/**
 * The contract between message processing (analyze.ts) and the channel's stored threads (threads/thread-lookup.ts).
 * Asynchronous: the answers come from the repositories.
 */
export interface ThreadLookup {
  /** Message-IDs we received or sent (in `<id@host>` form), most recent first: the thread of the first one known. */
  threadForMessageIds(ids: string[]): Promise<{ threadKey: string; customerEmail: string } | undefined>;
  threadForTicket(ticketId: string): Promise<{ threadKey: string; customerEmail: string } | undefined>;
  isOwnMessageId(id: string): Promise<boolean>;
}

export interface AnalyzeOptions {
  maxBytes: number;
  parseTimeoutMs: number;
  maxTextChars: number;
  trustedAuthservId?: string | undefined;
  /** false = trust the From address as is; only for a trusted internal relay that authenticated the mail. */
  verifySender: boolean;
  /** Our From / support address(es): mail from them is never answered. */
  ownAddresses: string[];
  lookup: ThreadLookup;
  /** Where messages are parsed and read (default: on this thread; the channel uses a worker pool with hard limits). */
  reader?: MailReader | undefined;
}

/**
 * What decided a message's fate, for logs, metrics and `email:check`: `person` (answered), a loop-guard class
 * (see loop-guard.ts `LoopKind`), or why it could not be handled.
 */
export type EmailClass = 'person' | LoopKind | 'forged' | 'no-sender' | 'unreadable' | 'too-large';

export interface EmailAnalysis {
  action: 'reply' | 'ignore' | 'quarantine';
  class: EmailClass;
  /** e.g. 'auto-submitted: auto-replied', 'list mail (List-Id)', 'delivery status report', 'parse timeout', 'ok'. */
  reason: string;
  sender: { address: string; name?: string; verified: boolean; verification: string; /** DMARC failed at our server: the From is forged. */ forged?: boolean };
  /** `email:<root message-id>`; a new thread is keyed by this message's own id. */
  threadKey: string;
  /** What the model would see: quoted history/signatures stripped, HTML→text, capped at maxTextChars. */
  text: string;
  subject: string;
  /** `<id@host>`; synthetic (hash of the header section) when the message has none. */
  messageId: string;
  inReplyTo?: string;
  references: string[];
  attachments: Array<{ filename: string; contentType: string; size: number }>;
  /** For delivery-status reports (and X-Failed-Recipients bounces). `action`: RFC 3464 Action, e.g. failed/delayed. */
  bounce?: { recipients: string[]; status?: string; action?: string; /** Message-IDs of the returned (bounced) message, from its rfc822 part. */ originalMessageIds?: string[] };
}
