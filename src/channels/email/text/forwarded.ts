import { isForwardMarker, isForwardSubject, isPointerNote, mentionsForward } from './forward-patterns.js';
import { stripReply } from './strip-reply.js';
import { classify, type Kind } from './text-reply-classify.js';
import { isOriginalMessageMarker } from './text-reply-patterns.js';

/**
 * A mail the customer forwarded to us: the forwarded part is what they want us to read, so it is kept (marked with
 * `FORWARD_LABEL`), while a reply's quoted history is still stripped. Like Discourse's receiver, the embedded mail
 * is found where the reply stripper would cut (an "On … wrote:" attribution there is reply history, never a
 * forward). It counts as forwarded when the subject starts with a forward prefix (Fwd:, FW:, WG:, TR:, RV: …), or,
 * for a mail that is not a reply (no In-Reply-To, no "Re:"), when
 * - its separator says so ("---------- Forwarded message ---------", "Begin forwarded message:",
 *   Notes' "----- Forwarded by …", in several languages), or
 * - the sender's note points at the mail below ("FYI", "see the mail below", "siehe unten") and the embedded mail
 *   is an "-----Original Message-----" or a From/Sent/To/Subject header block.
 * In a reply, the same separators are history (Notes puts "----- Forwarded by" above quoted mail).
 */
export const FORWARD_LABEL = '[Forwarded message]';

export interface Forward {
  /** What the sender wrote above the forwarded mail (not yet reply-stripped). */
  note: string;
  /** The forwarded mail: its header lines and body, separator dropped, one level of `>` removed. */
  forwarded: string;
}

type Boundary = { at: number; type: 'forward' | 'original' | 'headers' | 'attribution' };

const HEADER_WINDOW = 8;
const HEADER_MIN = 3;
const REPLY_SUBJECT = /^\s*(?:\[[^\]]{0,60}\]\s*)?(?:re|aw|sv|antw|odp|ref|rif)\s?(?:\[\d{1,3}\])?\s?[:：]/iu;

function headerBlockAt(kinds: Kind[], i: number): boolean {
  if (kinds[i] !== 'h') return false;
  let count = 0;
  for (let j = i; j < Math.min(kinds.length, i + HEADER_WINDOW); j++) if (kinds[j] === 'h') count++;
  return count >= HEADER_MIN;
}

function boundaryAt(lines: string[], kinds: Kind[], i: number): Boundary['type'] | undefined {
  if (kinds[i] === 'b') {
    const line = lines[i] ?? '';
    if (isForwardMarker(line)) return 'forward';
    return isOriginalMessageMarker(line) ? 'original' : 'attribution';
  }
  return headerBlockAt(kinds, i) ? 'headers' : undefined;
}

/** The first place an embedded mail starts (a separator line directly above it counts as its start). */
function firstBoundary(lines: string[], kinds: Kind[]): Boundary | undefined {
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] === 'd') {
      let j = i + 1;
      while (j < kinds.length && j <= i + 3 && kinds[j] === 'e') j++;
      const type = j < kinds.length ? boundaryAt(lines, kinds, j) : undefined;
      if (type) return { at: i, type };
      continue;
    }
    const type = boundaryAt(lines, kinds, i);
    if (type) return { at: i, type };
  }
  return undefined;
}

function forwardedPart(lines: string[], kinds: Kind[], from: number): string {
  let i = from;
  while (i < lines.length && (kinds[i] === 'd' || kinds[i] === 'e' || (kinds[i] === 'b' && (isForwardMarker(lines[i] ?? '') || isOriginalMessageMarker(lines[i] ?? ''))))) i++;
  let body = lines.slice(i);
  if (body.every((l) => l.trim() === '' || /^\s*>/u.test(l))) body = body.map((l) => l.replace(/^\s*> ?/u, ''));
  // Separator lines left over from the quoted marker (e.g. "> Begin forwarded message:" + ">").
  while (body.length > 0 && (body[0]?.trim() === '' || isForwardMarker(body[0] ?? ''))) body.shift();
  return body.join('\n').replace(/\n{3,}/gu, '\n\n').trim();
}

export function findForward(text: string, subject: string, opts: { isReply?: boolean } = {}): Forward | undefined {
  if (text.trim() === '') return undefined;
  const lines = text.replace(/\r\n?/gu, '\n').split('\n');
  const kinds = classify(lines);
  const boundary = firstBoundary(lines, kinds);
  if (!boundary || boundary.type === 'attribution') return undefined;
  const note = lines.slice(0, boundary.at).join('\n').trim();
  const reply = opts.isReply === true || REPLY_SUBJECT.test(subject);
  const forwarded = isForwardSubject(subject) || (!reply && (boundary.type === 'forward' || isPointerNote(stripReply(note))));
  if (!forwarded) return undefined;
  const part = forwardedPart(lines, kinds, boundary.at);
  return part === '' ? undefined : { note, forwarded: part };
}

/** Whether rendering HTML quotes could reveal a forward the reply rendering dropped. */
export function mayHoldForward(subject: string, visibleText: string, html: string[]): boolean {
  return isForwardSubject(subject) || isPointerNote(stripReply(visibleText)) || html.some(mentionsForward);
}
