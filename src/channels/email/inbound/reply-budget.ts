/**
 * Reply budget: at most N replies per sender and per thread in a sliding hour. Past it the channel stays silent and
 * staff get ONE alert per spent key per window. Kept by `emailLimits`: `takeReplyBudget` takes from both keys at
 * once (or from neither), `claimBudgetAlert` lets exactly one caller alert per key and window. Called inside the
 * transaction that records the message's decision.
 */
import type { Repositories } from '../../../store/repos/index.js';

export const BUDGET_WINDOW_MS = 3600_000;

export interface BudgetLimits { perSender: number; perThread: number }
export type BudgetVerdict =
  | { ok: true }
  | { ok: false; over: 'sender' | 'thread'; key: string; alert: boolean };

/**
 * Take one reply from the sender's and the thread's budget, or say which is spent and whether this is the first
 * refusal of the window (alert staff then, and only then).
 */
export async function takeReplyBudget(repos: Repositories, p: { sender: string; threadKey: string; limits: BudgetLimits; now: Date }): Promise<BudgetVerdict> {
  const t = p.now.getTime();
  const at = p.now.toISOString();
  const senderKey = `sender:${p.sender.toLowerCase()}`;
  const threadKey = `thread:${p.threadKey}`;
  const verdict = await repos.emailLimits.takeReplyBudget(
    [{ key: senderKey, limit: p.limits.perSender }, { key: threadKey, limit: p.limits.perThread }],
    new Date(t - BUDGET_WINDOW_MS).toISOString(),
    at,
  );
  if (verdict.ok) return { ok: true };
  const alert = await repos.emailLimits.claimBudgetAlert(verdict.key, new Date(t + BUDGET_WINDOW_MS).toISOString(), at);
  return { ok: false, over: verdict.key === senderKey ? 'sender' : 'thread', key: verdict.key, alert };
}
