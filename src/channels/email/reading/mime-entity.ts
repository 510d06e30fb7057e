import libmime from 'libmime';
import libqp from 'libqp';

/**
 * One MIME entity read straight from canonical (CRLF) bytes: its header fields, its body, multipart splitting and
 * transfer decoding. Lenient like a mail client: a missing closing boundary ends the last part at the end of the
 * input, a boundary parameter that never occurs (or is missing) is looked for in the body itself.
 * Every step is linear in the entity's size.
 */
export interface MimeEntity {
  /** Lower-cased field name → first value, unfolded. */
  headers: Map<string, string>;
  body: Buffer;
}

export interface ContentType {
  type: string;
  params: Record<string, string>;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 256 * 1024;
const BOUNDARY_SCAN_BYTES = 64 * 1024;

export function readEntity(buf: Buffer): MimeEntity {
  // An entity starting with an empty line has no header fields (RFC 2046 §5.1.1: it is plain US-ASCII text).
  if (buf.subarray(0, 2).toString('latin1') === '\r\n') return { headers: new Map(), body: buf.subarray(2) };
  const end = buf.subarray(0, MAX_HEAD_BYTES).indexOf(HEADER_END);
  const head = (end >= 0 ? buf.subarray(0, end) : buf.subarray(0, MAX_HEAD_BYTES)).toString('latin1');
  const headers = new Map<string, string>();
  for (const field of head.split(/\r\n(?![ \t])/u)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const key = field.slice(0, colon).trim().toLowerCase();
    if (!headers.has(key)) headers.set(key, field.slice(colon + 1).replace(/\r\n[ \t]+/gu, ' ').trim());
  }
  return { headers, body: end >= 0 ? buf.subarray(end + 4) : Buffer.alloc(0) };
}

export function contentType(entity: MimeEntity, fallback: string): ContentType {
  const raw = entity.headers.get('content-type');
  if (!raw) return { type: fallback, params: {} };
  const parsed = libmime.parseHeaderValue(raw);
  let type = parsed.value.trim().toLowerCase();
  if (type === 'text') type = 'text/plain';
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.params)) params[k.toLowerCase()] = v;
  return { type: type.includes('/') ? type : fallback, params };
}

/** `inline` or `attachment` (any other value counts as attachment, as in mailparser); '' when absent. */
export function disposition(entity: MimeEntity): string {
  const raw = entity.headers.get('content-disposition');
  if (!raw) return '';
  const value = libmime.parseHeaderValue(raw).value.trim().toLowerCase();
  return value === 'inline' || value === '' ? value : 'attachment';
}

/** The body with its Content-Transfer-Encoding undone (unknown encodings are taken as is). */
export function decodedBody(entity: MimeEntity): Buffer {
  const cte = (entity.headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  if (cte === 'base64') {
    // The data ends at its padding; whatever follows is not part of it.
    const clean = entity.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/gu, '');
    const pad = clean.indexOf('=');
    return Buffer.from(pad >= 0 ? clean.slice(0, pad) : clean, 'base64');
  }
  if (cte === 'quoted-printable') return libqp.decode(entity.body.toString('latin1'));
  return entity.body;
}

function isDelimiterAt(body: Buffer, at: number, delimiter: Buffer): boolean {
  if (at > 0 && (body[at - 1] !== 0x0a || body[at - 2] !== 0x0d)) return false;
  const next = body[at + delimiter.length];
  return next === undefined || next === 0x0d || next === 0x20 || next === 0x09 || (next === 0x2d && body[at + delimiter.length + 1] === 0x2d);
}

/** The body parts between `--boundary` lines; undefined when no delimiter line occurs (a lone closing one gives none). */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const starts: number[] = [];
  let closed = -1;
  for (let at = body.indexOf(delimiter); at >= 0; at = body.indexOf(delimiter, at + delimiter.length)) {
    if (!isDelimiterAt(body, at, delimiter)) continue;
    if (body[at + delimiter.length] === 0x2d) {
      closed = at;
      break;
    }
    starts.push(at);
  }
  if (starts.length === 0) return closed >= 0 ? [] : undefined;
  const parts: Buffer[] = [];
  for (let i = 0; i < starts.length; i++) {
    const lineEnd = body.indexOf('\r\n', starts[i]);
    if (lineEnd < 0) break;
    const next = starts[i + 1] ?? (closed >= 0 ? closed : body.length + 2);
    parts.push(body.subarray(lineEnd + 2, Math.max(lineEnd + 2, next - 2)));
  }
  return parts;
}

/**
 * The boundary a multipart body really uses when its parameter is missing or wrong: the first `--token` line that
 * is followed by a MIME header field.
 */
export function findBoundary(body: Buffer): string | undefined {
  const text = body.subarray(0, BOUNDARY_SCAN_BYTES).toString('latin1');
  const m = /(?:^|\r\n)--([^\s]{1,70})[ \t]*\r\n(?:content-[a-z-]{1,40}|mime-version)[ \t]*:/iu.exec(text);
  return m?.[1]?.replace(/--$/u, '');
}
