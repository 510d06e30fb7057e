import type { AddressObject, ParsedMail } from 'mailparser';
import type { AnalyzeOptions, EmailAnalysis } from './analyze-types.js';
import { checkLoop } from './loop-guard.js';
import { parseRawEmail } from './parse.js';
import { extractBounce } from './parse-dsn.js';
import { messageIdList, normalizeMessageId, rawHeaders, rawMessageId, syntheticMessageId } from './parse-headers.js';
import { verifySenderAuth } from './sender-auth.js';
import { messageText } from './text-body.js';
import { newThreadKey, resolveThread } from './threading.js';

export type { AnalyzeOptions, EmailAnalysis, ThreadLookup } from './analyze-types.js';

/**
 * What Helpline does with one raw email, decided without any network: size cap → parse under a time cap →
 * loop guard → sender verification → threading → the text the model would see. Never throws: anything that
 * cannot be analysed comes back as `action: 'quarantine'` with the reason.
 */
export async function analyzeEmail(raw: Buffer, opts: AnalyzeOptions): Promise<EmailAnalysis> {
  const fallbackId = rawMessageId(raw) ?? syntheticMessageId(raw);
  const quarantine = (reason: string): EmailAnalysis => ({
    action: 'quarantine',
    reason,
    sender: { address: '', verified: false, verification: 'not analysed' },
    threadKey: newThreadKey(fallbackId),
    text: '',
    subject: '',
    messageId: fallbackId,
    references: [],
    attachments: [],
  });
  if (raw.length > opts.maxBytes) return quarantine(`too large (${raw.length} bytes > ${opts.maxBytes})`);
  const parsed = await parseRawEmail(raw, { maxBytes: opts.maxBytes, parseTimeoutMs: opts.parseTimeoutMs });
  if (!parsed.ok) return quarantine(parsed.reason);
  try {
    return analyzeParsed(parsed.mail, raw, opts);
  } catch (err) {
    return quarantine(`analysis error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
  }
}

const PLAIN_ADDRESS = /^[^\s@<>()",;:]{1,64}@[^\s@<>()",;:]{1,255}$/u;

function mailboxes(obj: AddressObject | AddressObject[] | undefined): Array<{ address: string; name?: string }> {
  const list = Array.isArray(obj) ? obj : obj ? [obj] : [];
  const out: Array<{ address: string; name?: string }> = [];
  for (const o of list) {
    for (const v of o.value) {
      for (const m of v.group ?? [v]) {
        const address = (m.address ?? '').trim().toLowerCase();
        if (PLAIN_ADDRESS.test(address)) out.push({ address, ...(m.name?.trim() ? { name: m.name.trim().slice(0, 200) } : {}) });
      }
    }
  }
  return out;
}

function safeFilename(name: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f/\\]/gu, '_').trim().slice(0, 255);
  return cleaned || '(unnamed)';
}

/** mailparser leaves the type undefined for some broken headers (`Content-Type: ; name=…`). */
function partType(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : 'application/octet-stream';
}

function analyzeParsed(mail: ParsedMail, raw: Buffer, opts: AnalyzeOptions): EmailAnalysis {
  const headers = rawHeaders(mail);
  const from = mailboxes(mail.from);
  const fromAddresses = from.map((f) => f.address);
  const messageId = normalizeMessageId(mail.messageId ?? '') ?? syntheticMessageId(raw);
  const inReplyTo = messageIdList(mail.inReplyTo)[0];
  const references = messageIdList(mail.references);
  const subject = (mail.subject ?? '').slice(0, 1000);
  const verdict = checkLoop({
    headers,
    fromAddresses,
    subject,
    messageId,
    contentType: headers.first('content-type') ?? 'text/plain',
    partTypes: mail.attachments.map((a) => partType(a.contentType)),
    ownAddresses: opts.ownAddresses,
    isOwnMessageId: (id) => opts.lookup.isOwnMessageId(id),
  });
  // `Bank <support@bank.com> <x@evil.com>` or two From headers: whatever mailparser picked is not trustworthy.
  const rawFrom = headers.all('from');
  const angleAddresses = rawFrom.join(',').match(/<[^<>]*@[^<>]*>/gu)?.length ?? 0;
  const ambiguousFrom = rawFrom.length > 1 || angleAddresses > fromAddresses.length;
  const auth = verifySenderAuth({
    fromAddresses,
    ambiguousFrom,
    authResults: headers.all('authentication-results'),
    trustedAuthservId: opts.trustedAuthservId,
    verifySender: opts.verifySender,
  });
  const first = from[0];
  const sender = { address: first?.address ?? '', ...(first?.name ? { name: first.name } : {}), ...auth };
  const thread = resolveThread({ senderAddress: sender.address, senderVerified: sender.verified, messageId, inReplyTo, references, subject }, opts.lookup);
  const { text } = messageText(mail, opts.maxTextChars);
  const attachments = mail.attachments.map((a) => ({ filename: safeFilename(a.filename), contentType: partType(a.contentType), size: a.size ?? a.content.length }));
  const result: EmailAnalysis = {
    action: verdict ? 'ignore' : 'reply',
    reason: verdict?.reason ?? 'ok',
    sender,
    threadKey: thread.threadKey,
    text,
    subject,
    messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    references,
    attachments,
    ...(verdict?.kind === 'bounce' ? { bounce: extractBounce(mail, headers) } : {}),
  };
  if (!verdict && !first) return { ...result, action: 'quarantine', reason: 'no usable From address' };
  // Replying would send our text to whoever the forger named in From (backscatter, phishing in our name).
  if (!verdict && auth.forged) return { ...result, action: 'ignore', reason: 'From failed DMARC at our server (forged sender); not answered' };
  return result;
}
