import type { AnalyzeOptions, EmailAnalysis, EmailClass } from './analyze-types.js';
import { checkLoop } from './loop-guard.js';
import { headersOf, rawMessageId, syntheticMessageId } from '../reading/parse-headers.js';
import { headerStart } from '../reading/raw-normalize.js';
import { inProcessReader, type ReadMail } from '../reading/read-mail.js';
import { verifySenderAuth } from './sender-auth.js';
import { newThreadKey, resolveThread } from './threading.js';

export type { AnalyzeOptions, EmailAnalysis, EmailClass, ThreadLookup } from './analyze-types.js';

/**
 * What Helpline does with one raw email, decided without any network: size cap → read (parse, text) under hard
 * limits → loop guard → sender verification → threading. Anything that cannot be analysed comes back as
 * `action: 'quarantine'` with the reason; `class` names what decided it. Throws only when the reader itself
 * stopped, so the message was not judged at all (it is read again later).
 */
export async function analyzeEmail(raw: Buffer, opts: AnalyzeOptions): Promise<EmailAnalysis> {
  // Past any junk before the header section (blank lines, BOM, mbox From line), as the reader parses it.
  const head = raw.subarray(headerStart(raw));
  const fallbackId = rawMessageId(head) ?? syntheticMessageId(head);
  const quarantine = (reason: string, cls: EmailClass): EmailAnalysis => ({
    action: 'quarantine',
    class: cls,
    reason,
    sender: { address: '', verified: false, verification: 'not analysed' },
    threadKey: newThreadKey(fallbackId),
    text: '',
    subject: '',
    messageId: fallbackId,
    references: [],
    attachments: [],
  });
  if (raw.length > opts.maxBytes) return quarantine(`too large (${raw.length} bytes > ${opts.maxBytes})`, 'too-large');
  const reader = opts.reader ?? inProcessReader;
  const read = await reader.read(raw, { maxBytes: opts.maxBytes, parseTimeoutMs: opts.parseTimeoutMs, maxTextChars: opts.maxTextChars });
  if (!read.ok) return quarantine(read.reason, 'unreadable');
  const mail = read.mail;
  // What the store knows is asked outside the guard below: a store failure is retried, never blamed on the mail.
  const ownMessageId = mail.messageId ? await opts.lookup.isOwnMessageId(mail.messageId) : false;
  let judged: EmailAnalysis;
  try {
    judged = decide(mail, opts, ownMessageId);
  } catch (err) {
    return quarantine(`analysis error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300), 'unreadable');
  }
  const { messageId, inReplyTo, references, subject } = mail;
  const thread = await resolveThread({ senderAddress: judged.sender.address, senderVerified: judged.sender.verified, messageId, inReplyTo, references, subject }, opts.lookup);
  return { ...judged, threadKey: thread.threadKey };
}

/**
 * The decisions, from what the reader found: loop guard and sender verification (`ownMessageId`: the store knows
 * the message's id as one we sent). The thread is the message's own new one; `analyzeEmail` resolves the real one.
 */
export function decide(mail: ReadMail, opts: AnalyzeOptions, ownMessageId: boolean): EmailAnalysis {
  const headers = headersOf(mail.headers);
  const fromAddresses = mail.from.map((f) => f.address);
  const { messageId, inReplyTo, references, subject } = mail;
  const verdict = checkLoop({
    headers,
    fromAddresses,
    subject,
    messageId,
    contentType: mail.contentType,
    partTypes: mail.partTypes,
    bounce: mail.bounce,
    ownAddresses: opts.ownAddresses,
    isOwnMessageId: (id) => ownMessageId && id === messageId,
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
  const first = mail.from[0];
  const sender = { address: first?.address ?? '', ...(first?.name ? { name: first.name } : {}), ...auth };
  const result: EmailAnalysis = {
    action: verdict ? (verdict.action ?? 'ignore') : 'reply',
    class: verdict?.kind ?? 'person',
    reason: verdict?.reason ?? 'ok',
    sender,
    threadKey: newThreadKey(messageId),
    text: mail.text,
    subject,
    messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    references,
    attachments: mail.attachments,
    ...(verdict?.kind === 'bounce' ? { bounce: mail.bounce } : {}),
  };
  if (!verdict && !first) return { ...result, action: 'quarantine', class: 'no-sender', reason: 'no usable From address' };
  // Replying would send our text to whoever the forger named in From (backscatter, phishing in our name).
  if (!verdict && auth.forged) return { ...result, action: 'ignore', class: 'forged', reason: 'From failed DMARC at our server (forged sender); not answered' };
  return result;
}
