import type { TurnListener } from '../agent/types.js';
import type { Caller } from '../support/caller.js';
import type { OutboundPolicy } from './outbound-policy.js';
import type { ThreadEventBody } from './types.js';

/** What model text becomes before a person who is not staff sees it (staff sessions are not filtered). */
export type ReplyFilter = (text: string) => { text: string; removed: number };

export function replyFilter(caller: Caller, outbound: OutboundPolicy | undefined): ReplyFilter {
  return caller.kind === 'staff' || !outbound ? (text) => ({ text, removed: 0 }) : (text) => outbound.apply(text);
}

/** Where the last run of whitespace in `s` begins, looking no further back than `from` (`from` when there is none after it). */
function lastSpaceRun(s: string, from: number): number {
  let i = s.length;
  while (i > from && !/\s/u.test(s[i - 1]!)) i--;
  while (i > from && /\s/u.test(s[i - 1]!)) i--;
  return i;
}

/**
 * The turn listener that lets a thread's subscribers read the reply as the model writes it, without ever seeing
 * what the outbound policy would take out of it. Raw text is held back until a whitespace boundary and each stretch
 * between two boundaries is published through the policy. No link spans whitespace and the policy judges a link
 * whole (what precedes and follows a stretch is whitespace, as in the whole reply), so a link cut across pieces is
 * never sent in part and the stretches sent, joined, are the start of the reply the policy lets through. Linear in
 * the reply's length. The last word arrives with the reply itself.
 */
export function createReplyStream(messageId: string, filter: ReplyFilter, publish: (body: ThreadEventBody) => void): TurnListener {
  /** The response's text since the last retract, without leading whitespace; `raw.slice(0, sent)` went out. */
  let raw = '';
  let sent = 0;

  function release(): void {
    const cut = lastSpaceRun(raw, sent);
    if (cut <= sent) return;
    const text = filter(raw.slice(sent, cut)).text;
    sent = cut;
    if (text) publish({ type: 'text', messageId, text });
  }

  return (event) => {
    switch (event.type) {
      case 'text':
        raw = sent ? raw + event.text : (raw + event.text).trimStart();
        release();
        return;
      case 'retract':
        if (sent) publish({ type: 'retract', messageId });
        raw = '';
        sent = 0;
        return;
      case 'working':
        publish({ type: 'working', messageId, tool: event.tool });
        return;
      case 'tool_done':
        publish({ type: 'tool_done', messageId, tool: event.tool, ok: event.ok });
        return;
      case 'done':
        publish({ type: 'turn_done', messageId, handoff: event.handoff });
        return;
      case 'failed':
        publish({ type: 'turn_failed', messageId, code: event.code });
        return;
    }
  };
}
