import { Readable } from 'node:stream';
import { simpleParser, type ParsedMail } from 'mailparser';
import { bodyParts, type BodyPart } from './body-parts.js';
import { keepLiteralAddresses, literalAddresses } from './mail-fields.js';
import { normalizeRaw } from './raw-normalize.js';

/**
 * Parsing one raw message with hard limits: the size is checked before a single byte is parsed, and parsing runs
 * against a timer. The raw bytes are fed in chunks so the timer can fire between them; on timeout the input stream
 * is destroyed so the parser stops. Nothing is ever written to disk (simpleParser keeps attachments in memory, and
 * the size cap bounds that memory).
 *
 * Before parsing, the raw bytes are put in canonical form (raw-normalize.ts: CRLF line endings, nothing before the
 * first header line). After parsing, two things mailparser does differently from a mail client are corrected:
 * addresses that exist only after RFC 2047 decoding are dropped from From and Reply-To (mail-fields.ts), and
 * the inline body parts are read in display order with plausible charsets (body-parts.ts) as `bodyParts`.
 */
export interface ParseLimits {
  maxBytes: number;
  parseTimeoutMs: number;
}

/** mailparser's result plus the inline body parts in display order (absent if they could not be read). */
export type ParsedMessage = ParsedMail & { bodyParts?: BodyPart[] };

export type ParseOutcome = { ok: true; mail: ParsedMessage } | { ok: false; reason: string };

const CHUNK_BYTES = 64 * 1024;
/** HTML bodies above this size are not converted to text by mailparser (we convert a capped copy ourselves). */
const MAX_HTML_TO_PARSE = 2 * 1024 * 1024;

function chunks(raw: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= raw.length) {
        this.push(null);
        return;
      }
      const end = Math.min(raw.length, offset + CHUNK_BYTES);
      const piece = raw.subarray(offset, end);
      offset = end;
      // Yield to the event loop between chunks so the parse timer stays able to fire.
      setImmediate(() => this.push(piece));
    },
  });
}

function correct(mail: ParsedMail, canonical: Buffer): ParsedMessage {
  keepLiteralAddresses(mail.from, literalAddresses(mail.headerLines, 'from'));
  keepLiteralAddresses(mail.replyTo, literalAddresses(mail.headerLines, 'reply-to'));
  try {
    return Object.assign(mail, { bodyParts: bodyParts(canonical) });
  } catch {
    return mail; // mailparser's text and html remain
  }
}

export async function parseRawEmail(raw: Buffer, limits: ParseLimits): Promise<ParseOutcome> {
  if (raw.length > limits.maxBytes) return { ok: false, reason: `too large (${raw.length} bytes > ${limits.maxBytes})` };
  const canonical = normalizeRaw(raw);
  const input = chunks(canonical);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ParseOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: 'parse timeout' }), limits.parseTimeoutMs);
  });
  const parse = simpleParser(input, {
    keepDeliveryStatus: true,
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    maxHtmlLengthToParse: MAX_HTML_TO_PARSE,
  }).then(
    (mail): ParseOutcome => ({ ok: true, mail: correct(mail, canonical) }),
    (err: unknown): ParseOutcome => ({ ok: false, reason: `parse error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300) }),
  );
  try {
    const outcome = await Promise.race([parse, timeout]);
    if (!outcome.ok && outcome.reason === 'parse timeout') input.destroy();
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
