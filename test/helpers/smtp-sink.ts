/**
 * An SMTP server on 127.0.0.1 (random port) that captures what it is sent, for tests.
 * Scriptable: answer the next N messages with a 4xx/5xx, or hang (never answer DATA) to simulate a stuck server.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  references: string[];
  subject: string;
  text: string;
  html: string;
  /** Lower-cased header name → raw value (first occurrence). */
  header(name: string): string | undefined;
  at: number;
}

export interface SmtpFailure { code: number; message?: string }

export interface SmtpSink {
  host: string;
  port: number;
  messages: CapturedMail[];
  /** Every DATA attempt, including refused ones (Message-ID of each). */
  attempts: Array<{ messageId: string | undefined; answered: number }>;
  /** Answer the next `times` messages with this failure (queued after any earlier ones). */
  failNext(failure: SmtpFailure, times?: number): void;
  /** While true, DATA is read but never answered (the client must time out). */
  setHang(hang: boolean): void;
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMail[]>;
  stop(): Promise<void>;
}

type Fields = Pick<CapturedMail, 'messageId' | 'inReplyTo' | 'references' | 'subject' | 'text' | 'html'> & { headers: Map<string, string> };

async function parseFields(raw: string): Promise<Fields> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true });
  const headers = new Map<string, string>();
  for (const line of parsed.headerLines) if (!headers.has(line.key)) headers.set(line.key, line.line.slice(line.line.indexOf(':') + 1).trim());
  const refs = parsed.references;
  return {
    messageId: parsed.messageId, inReplyTo: parsed.inReplyTo, references: refs === undefined ? [] : Array.isArray(refs) ? refs : [refs],
    subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', headers,
  };
}

/** The header block only, unfolded and undecoded (no body, no MIME tree): cheap, for load tests. */
function headerFields(raw: string): Fields {
  const end = raw.search(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    const key = line.slice(0, i).trim().toLowerCase();
    if (i > 0 && !headers.has(key)) headers.set(key, line.slice(i + 1).trim());
  }
  const refs = headers.get('references');
  return {
    messageId: headers.get('message-id'), inReplyTo: headers.get('in-reply-to'), references: refs ? refs.split(/\s+/) : [],
    subject: headers.get('subject') ?? '', text: '', html: '', headers,
  };
}

/** `headersOnly`: capture the header fields only (text and html stay empty), without parsing the MIME body. */
export async function startSmtpSink(opts: { failWith?: SmtpFailure[]; headersOnly?: boolean } = {}): Promise<SmtpSink> {
  const messages: CapturedMail[] = [];
  const attempts: SmtpSink['attempts'] = [];
  const failures: SmtpFailure[] = [...(opts.failWith ?? [])];
  const waiters: Array<() => void> = [];
  let hang = false;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        void (opts.headersOnly ? Promise.resolve(headerFields(raw)) : parseFields(raw)).then((parsed) => {
          const failure = hang ? undefined : failures.shift();
          attempts.push({ messageId: parsed.messageId, answered: hang ? 0 : (failure?.code ?? 250) });
          if (hang) return; // never call back: the client times out
          if (failure) {
            const err = Object.assign(new Error(failure.message ?? 'scripted failure'), { responseCode: failure.code });
            callback(err);
            return;
          }
          const { headers, ...fields } = parsed;
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            ...fields,
            header: (name) => headers.get(name.toLowerCase()),
            at: Date.now(),
          });
          callback(null);
          for (const w of waiters.splice(0)) w();
        }, (err: unknown) => callback(err as Error));
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    host: '127.0.0.1',
    port,
    messages,
    attempts,
    failNext: (failure, times = 1) => { for (let i = 0; i < times; i++) failures.push(failure); },
    setHang: (h) => { hang = h; },
    waitFor: async (count, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} mails, got ${messages.length}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => { clearTimeout(t); resolve(); });
        });
      }
      return messages;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
