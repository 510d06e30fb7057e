import type { Actor, Channel } from '../store/schema.js';

/**
 * Who an MCP server instance (and so every support call through it) acts for.
 * Comes from the channel identity of the conversation, never from a model argument.
 */
export type Caller =
  | { kind: 'customer'; customerId: string }
  | {
      kind: 'staff';
      staffId: string;
      /** The staff member's email as their channel verified it (e.g. the Slack profile's): a second identity the four-eyes check compares. */
      email?: string | undefined;
    }
  | {
      kind: 'anonymous';
      contact?: string;
      /** Set when the message came from a place others read (a Slack channel thread): no account business there, even for a known customer. */
      sharedChannel?: boolean;
    };

/** A staff member as a caller. */
export type StaffCaller = Extract<Caller, { kind: 'staff' }>;

/** The channel identity of the person whose message led to a request (recorded on approvals). */
export interface Requester {
  /** Slack user id, email address, or terminal user handle. */
  id: string;
  /** Their email address when the channel knows it. */
  email?: string | undefined;
  /** How the channel verified them (e.g. `dmarc=pass`, `slack`). */
  verification?: string | undefined;
}

/** Where a request came from: lets approvals and tickets point back to the customer's thread. */
export interface RequestContext {
  threadKey?: string;
  channel?: Channel;
  requester?: Requester | undefined;
  /**
   * The session is driven by a model working for staff: every staff write a customer could see or that changes
   * a record becomes a draft a person must send (see mcp `draftKind`).
   */
  drafting?: boolean | undefined;
}

export function actorOf(caller: Caller): Actor {
  switch (caller.kind) {
    case 'customer':
      return { kind: 'customer', id: caller.customerId };
    case 'staff':
      return { kind: 'staff', id: caller.staffId };
    case 'anonymous':
      return { kind: 'anonymous', id: caller.contact ?? '' };
  }
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'helpline' };
