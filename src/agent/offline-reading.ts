/** Reading the conversation for the offline assistant: the customer's words, and what the context notes say. */
import type { ModelMessage } from './model.js';
import { isConfirmation, isDecline } from './offline-intents.js';
import { NOTICE_PREFIX } from './transcript.js';

/** The customer's own text in a user message (system notices left out); '' for anything else. */
export function customerText(m: ModelMessage | undefined): string {
  if (m?.role !== 'user') return '';
  return m.content.filter((b) => b.type === 'text').map((b) => String((b as { text: unknown }).text)).filter((t) => !t.startsWith(NOTICE_PREFIX)).join('\n').trim();
}

/** The latest customer words in the conversation. */
export function latestCustomerText(msgs: ModelMessage[]): string {
  let text = '';
  for (let i = msgs.length - 1; i >= 0 && !text; i--) text = customerText(msgs[i]);
  return text;
}

/** The latest user words before index `before` that aren't just a yes/no. */
export function originText(msgs: ModelMessage[], before: number): string {
  for (let i = before - 1; i >= 0; i--) {
    const t = customerText(msgs[i]);
    if (t && !(isConfirmation(t) && t.split(/\s+/).length <= 6) && !isDecline(t)) return t;
  }
  return '';
}

/** The unverified caller's contact email, as the agent's context note states it. */
export function contactFromContext(msgs: ModelMessage[]): string | undefined {
  for (const m of msgs) {
    for (const b of m.content) {
      const t = b.type === 'text' ? String((b as { text: unknown }).text) : '';
      const hit = /contact email for tickets is (\S+@\S+?)\.?(?:\s|$)/.exec(t)?.[1];
      if (hit) return hit;
    }
  }
  return undefined;
}
