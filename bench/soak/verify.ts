/** The soak's end-of-run checks, computed from what the fakes recorded and the bot's store (read as a JSON document). */
import type { StoreDocument } from '../../src/store/json/index.js';
import type { FakeSlack } from '../../test/helpers/fake-slack.js';
import type { SmtpSink } from '../../test/helpers/smtp-sink.js';
import type { SentEmail, SentSlack } from './traffic.js';

/** `judged: false`: printed as a figure, not a verdict (e.g. a trend from too few samples to mean anything). */
export interface Check { name: string; ok: boolean; detail: string; judged?: false }

/** Fewest steady-tail RSS samples from which a slope is a trend rather than noise (the quick soak has 2). */
export const RSS_TREND_SAMPLES = 4;

/** What a check says: PASS, FAIL, or NOT JUDGED for one that is only a figure in this run. */
export function checkResult(c: Check): 'PASS' | 'FAIL' | 'NOT JUDGED' {
  return c.judged === false ? 'NOT JUDGED' : c.ok ? 'PASS' : 'FAIL';
}

/** The checks that failed and count. */
export function failedChecks(checks: readonly Check[]): Check[] {
  return checks.filter((c) => checkResult(c) === 'FAIL');
}

export interface Verdict {
  checks: Check[];
  figures: Record<string, string | number>;
}

/** Linear-regression slope of y over x (per unit of x). */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => { num += (x - mx) * (y - my); den += (x - mx) ** 2; });
  return num / den;
}

export function verify(o: {
  slack: SentSlack[]; email: SentEmail[]; fake: FakeSlack; sink: SmtpSink;
  /** The store after the run: the JSON engine's durable content (or PostgreSQL exported), or why it could not be read. */
  store: { doc: StoreDocument; detail: string } | { error: string };
  clickedApprovals: string[];
  rssTail: number[];
}): Verdict {
  const checks: Check[] = [];
  const figures: Record<string, string | number> = {};

  // Slack: one reply carrying the marker, in the message's own thread.
  const posts = o.fake.callsOf('chat.postMessage');
  let slackMissing = 0;
  let slackDup = 0;
  let slackUnacked = 0;
  for (const s of o.slack) {
    if (!s.acked) slackUnacked++;
    const n = posts.filter((p) => p.args['channel'] === s.channel && p.args['thread_ts'] === s.ts && String(p.args['text'] ?? '').includes(`(${s.marker})`)).length;
    if (n === 0) slackMissing++;
    if (n > 1) slackDup++;
  }
  figures['slack_messages'] = o.slack.length;
  figures['slack_deliveries'] = o.slack.reduce((a, s) => a + s.deliveries, 0);
  figures['slack_never_acked'] = slackUnacked;
  figures['slack_answered_once'] = o.slack.length - slackMissing - slackDup;
  checks.push({ name: 'every Slack message answered exactly once', ok: slackMissing === 0 && slackDup === 0, detail: `${o.slack.length} messages: ${slackMissing} unanswered, ${slackDup} answered more than once${slackUnacked ? ` (${slackUnacked} never acked)` : ''}` });

  // Email: one reply per inbound Message-ID; a resend with the SAME Message-ID is the documented SMTP window.
  let mailMissing = 0;
  let mailDup = 0;
  let windowResends = 0;
  for (const e of o.email) {
    const replies = o.sink.messages.filter((m) => m.inReplyTo === e.messageId);
    const ids = new Set(replies.map((m) => m.messageId));
    if (replies.length === 0) mailMissing++;
    if (ids.size > 1) mailDup++;
    if (ids.size === 1 && replies.length > 1) windowResends += replies.length - 1;
  }
  figures['emails'] = o.email.length;
  figures['email_replies_sent'] = o.sink.messages.length;
  figures['smtp_attempts'] = o.sink.attempts.length;
  figures['email_same_id_resends'] = windowResends;
  checks.push({ name: 'every email answered exactly once', ok: mailMissing === 0 && mailDup === 0, detail: `${o.email.length} emails: ${mailMissing} unanswered, ${mailDup} answered twice with different Message-IDs, ${windowResends} same-Message-ID resends (SMTP window)` });

  // The store: readable and valid, and what it says about approvals and the ledger.
  const db = 'doc' in o.store ? o.store.doc : undefined;
  checks.push({ name: 'store readable and valid', ok: Boolean(db), detail: 'doc' in o.store ? o.store.detail : o.store.error });

  if (db) {
    const decisions = new Map<string, number>();
    const executions = new Map<string, number>();
    for (const a of db.audit) {
      if (a.action === 'approval.approve' || a.action === 'approval.deny') decisions.set(a.target, (decisions.get(a.target) ?? 0) + 1);
      if (a.action === 'card.deactivate') {
        const id = String((a.details as { approvalId?: unknown } | undefined)?.approvalId ?? a.target);
        executions.set(id, (executions.get(id) ?? 0) + 1);
      }
    }
    const twice = [...decisions.values()].filter((n) => n > 1).length + [...executions.values()].filter((n) => n > 1).length;
    const byStatus: Record<string, number> = {};
    for (const a of db.approvals) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    figures['approvals'] = db.approvals.length;
    figures['approvals_by_status'] = JSON.stringify(byStatus);
    figures['approval_cards_clicked'] = o.clickedApprovals.length;
    checks.push({ name: 'every approval decided at most once', ok: twice === 0, detail: `${db.approvals.length} approvals, ${decisions.size} decided, ${twice} decided or executed twice` });
    const ledger: Record<string, number> = {};
    for (const p of db.ledger) ledger[p.status] = (ledger[p.status] ?? 0) + 1;
    figures['ledger_by_status'] = JSON.stringify(ledger);
    const outbox: Record<string, number> = {};
    for (const m of db.outbox) outbox[m.status] = (outbox[m.status] ?? 0) + 1;
    figures['outbox_by_status'] = JSON.stringify(outbox);
  }

  // RSS: the steady tail (same process, no kills) must not trend upwards.
  figures['rss_tail_mb'] = o.rssTail.map((r) => Math.round(r)).join(' → ');
  figures['rss_tail_slope_mb_per_round'] = Number(slope(o.rssTail).toFixed(2));
  checks.push(rssTrendCheck(o.rssTail));
  return { checks, figures };
}

/** The steady tail's RSS must not trend upwards; fewer than RSS_TREND_SAMPLES samples are shown, not judged. */
export function rssTrendCheck(rssTail: readonly number[]): Check {
  const s = slope(rssTail);
  const first = rssTail[0] ?? 0;
  const last = rssTail.at(-1) ?? 0;
  const flat = s <= Math.max(2, first * 0.02) || last <= first * 1.05;
  const judged = rssTail.length >= RSS_TREND_SAMPLES;
  const measured = `slope ${s.toFixed(2)} MB/round, ${Math.round(first)} → ${Math.round(last)} MB`;
  return {
    name: 'RSS without an upward trend (steady tail)', ok: flat || !judged,
    detail: judged ? measured : `${rssTail.length} samples, too few for a trend (${RSS_TREND_SAMPLES} needed: the full soak): ${measured}`,
    ...(judged ? {} : { judged: false as const }),
  };
}
