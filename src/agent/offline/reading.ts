/** Reading the conversation for the offline assistant: the customer's words turn by turn, and what the context notes say. */
import { isTextBlock, textOf, type ModelMessage } from '../model.js';
import { NOTICE_PREFIX } from '../transcript.js';

/** The customer's own text in a user message (system notices left out); '' for anything else. */
export function customerText(m: ModelMessage | undefined): string {
  if (m?.role !== 'user') return '';
  return m.content.filter(isTextBlock).map((b) => b.text).filter((t) => !t.startsWith(NOTICE_PREFIX)).join('\n').trim();
}

/** One exchange: what the customer wrote and the assistant's final words to it ('' while unanswered). */
export interface Turn { text: string; index: number; reply: string }

export function turnsOf(msgs: readonly ModelMessage[]): Turn[] {
  const turns: Turn[] = [];
  msgs.forEach((m, index) => {
    const text = customerText(m);
    if (text) turns.push({ text, index, reply: '' });
    else if (m.role === 'assistant' && turns.length) {
      const said = textOf(m.content);
      if (said) turns[turns.length - 1]!.reply = said;
    }
  });
  return turns;
}

/** The unverified caller's contact email, as the agent's context note states it. */
export function contactFromContext(msgs: readonly ModelMessage[]): string | undefined {
  for (const m of msgs) {
    for (const b of m.content) {
      const hit = isTextBlock(b) ? /contact email for tickets is (\S+@\S+?)\.?(?:\s|$)/.exec(b.text)?.[1] : undefined;
      if (hit) return hit;
    }
  }
  return undefined;
}
