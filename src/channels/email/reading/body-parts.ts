import libmime from 'libmime';
import { decodeText } from './charset.js';
import { decodeFlowed } from './flowed.js';
import { contentType, decodedBody, disposition, findBoundary, readEntity, splitMultipart, type MimeEntity } from './mime-entity.js';

/**
 * The inline body of a message, in the order a mail client displays it: every inline `text/plain` and `text/html`
 * part of `multipart/mixed` (and of unknown multipart types) in turn, the first alternative of
 * `multipart/alternative` with plain text (else the last with HTML), the root of `multipart/related` and the signed
 * content of `multipart/signed`. Other attachments and media are not body.
 *
 * A mail forwarded as an attachment (`message/rfc822`, Outlook's and Apple Mail's "forward as attachment") is shown
 * the way clients show it, below the message: a `message` part with its From/Date/Subject/To lines and its own
 * parts. Inside `multipart/report` (bounces, abuse reports) the returned message is not body.
 *
 * A multipart whose boundary never shows (parameter missing, or wrong) is split on the boundary its body really
 * uses, or else shown as text, the way mail clients show it. Charsets are chosen per part (charset.ts).
 * Input: one canonical (CRLF) raw message (raw-normalize.ts). Bounded: nesting depth, part count and total text.
 */
export interface BodyPart {
  kind: 'text' | 'html' | 'message';
  /** The text or HTML; for `message`, its header lines. */
  text: string;
  /** For `message`: the attached mail's own body parts. */
  parts?: BodyPart[];
}

const MAX_DEPTH = 100;
const MAX_PARTS = 500;
const MAX_TOTAL_CHARS = 4_000_000;
const SHOWN_HEADERS = ['from', 'date', 'subject', 'to'];

interface Walk {
  leaves: number;
  chars: number;
}

function hasContent(parts: BodyPart[]): boolean {
  return parts.some((p) => p.text.trim() !== '');
}

function leaf(entity: MimeEntity, type: string, charset: string | undefined, params: Record<string, string>, walk: Walk): BodyPart[] {
  if (++walk.leaves > MAX_PARTS || walk.chars > MAX_TOTAL_CHARS) return [];
  const html = type === 'text/html';
  let text = decodeText(decodedBody(entity), charset, { html });
  if (!html && (params.format ?? '').toLowerCase() === 'flowed') text = decodeFlowed(text, (params.delsp ?? '').toLowerCase() === 'yes');
  walk.chars += text.length;
  return [{ kind: html ? 'html' : 'text', text }];
}

function attachedMessage(entity: MimeEntity, depth: number, walk: Walk): BodyPart[] {
  if (++walk.leaves > MAX_PARTS) return [];
  const inner = readEntity(decodedBody(entity));
  const header = SHOWN_HEADERS.flatMap((name) => {
    const value = inner.headers.get(name);
    if (!value) return [];
    const decoded = libmime.decodeWords(decodeText(Buffer.from(value, 'latin1'), undefined)).slice(0, 500);
    return [`${name[0]?.toUpperCase()}${name.slice(1)}: ${decoded}`];
  });
  return [{ kind: 'message', text: header.join('\n'), parts: entityParts(inner, 'text/plain', depth + 1, walk, false) }];
}

function multipart(entity: MimeEntity, subtype: string, params: Record<string, string>, depth: number, walk: Walk): BodyPart[] {
  const boundary = params.boundary;
  let bodies = boundary ? splitMultipart(entity.body, boundary) : undefined;
  if (!bodies) {
    const found = findBoundary(entity.body);
    bodies = found ? splitMultipart(entity.body, found) : undefined;
  }
  // No structure at all: a mail client shows the body as text.
  if (!bodies) return leaf(entity, 'text/plain', params.charset, {}, walk);
  const childDefault = subtype === 'digest' ? 'message/rfc822' : 'text/plain';
  const children = bodies.map((b) => readEntity(b));
  const read = (child: MimeEntity) => entityParts(child, childDefault, depth + 1, walk, subtype !== 'report' && subtype !== 'digest');
  if (subtype === 'alternative') {
    // Plain text is preferred over HTML; among HTML versions the last is the most faithful (RFC 2046 §5.1.4).
    const readChildren = children.map(read);
    return readChildren.find((p) => p.some((x) => x.kind === 'text' && x.text.trim() !== '')) ?? [...readChildren].reverse().find(hasContent) ?? [];
  }
  if (subtype === 'related' || subtype === 'signed') return children[0] ? read(children[0]) : [];
  if (subtype === 'encrypted') return [];
  return children.flatMap(read);
}

function entityParts(entity: MimeEntity, defaultType: string, depth: number, walk: Walk, showMessages: boolean): BodyPart[] {
  if (depth > MAX_DEPTH) return [];
  const ct = contentType(entity, defaultType);
  if (ct.type.startsWith('multipart/')) return multipart(entity, ct.type.slice('multipart/'.length), ct.params, depth, walk);
  if ((ct.type === 'text/plain' || ct.type === 'text/html') && disposition(entity) !== 'attachment') return leaf(entity, ct.type, ct.params.charset, ct.params, walk);
  if (showMessages && (ct.type === 'message/rfc822' || ct.type === 'message/global')) return attachedMessage(entity, depth, walk);
  return [];
}

/** The inline body parts of one canonical raw message, in display order. */
export function bodyParts(raw: Buffer): BodyPart[] {
  return entityParts(readEntity(raw), 'text/plain', 0, { leaves: 0, chars: 0 }, true);
}
