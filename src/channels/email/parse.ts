import { Readable } from 'node:stream';
import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * Parsing one raw message with hard limits: the size is checked before a single byte is parsed, and parsing runs
 * against a timer. The raw bytes are fed in chunks so the timer can fire between them; on timeout the input stream
 * is destroyed so the parser stops. Nothing is ever written to disk (simpleParser keeps attachments in memory, and
 * the size cap bounds that memory).
 */
export interface ParseLimits {
  maxBytes: number;
  parseTimeoutMs: number;
}

export type ParseOutcome = { ok: true; mail: ParsedMail } | { ok: false; reason: string };

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

export async function parseRawEmail(raw: Buffer, limits: ParseLimits): Promise<ParseOutcome> {
  if (raw.length > limits.maxBytes) return { ok: false, reason: `too large (${raw.length} bytes > ${limits.maxBytes})` };
  const input = chunks(raw);
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
    (mail): ParseOutcome => ({ ok: true, mail }),
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
