/**
 * The soak's model: the fake Anthropic Messages API (test/helpers/fake-anthropic.ts) answering through one
 * function entry. Every customer message carries a marker (`ref-S12`, `ref-E7`) that the final reply repeats,
 * so the soak can count answers per message. "deactivate my card 1234" → request_card_deactivation; "balance"
 * → get_account_balance; otherwise a direct answer. While `overloaded` is on, every call gets a 529.
 */
import { httpError, reply, startFakeAnthropic, toolUse, type FakeAnthropic, type FakeBlock, type RecordedRequest, type ScriptEntry } from '../../test/helpers/fake-anthropic.js';

export interface SoakModel {
  fake: FakeAnthropic;
  setOverloaded(on: boolean): void;
  counts: { ok: number; overloaded: number };
}

const MARKER = /ref-[SE]\d+/;

function blocksOf(content: string | FakeBlock[]): FakeBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** The current turn's user text and whether a tool already ran in this turn. */
function turnOf(req: RecordedRequest): { text: string; toolsRan: boolean } {
  let toolsRan = false;
  for (let i = req.body.messages.length - 1; i >= 0; i--) {
    const m = req.body.messages[i]!;
    if (m.role !== 'user') continue;
    const blocks = blocksOf(m.content);
    if (blocks.some((b) => b.type === 'tool_result')) {
      toolsRan = true;
      continue;
    }
    const text = blocks.filter((b) => b.type === 'text').map((b) => String(b['text'])).join('\n');
    if (MARKER.test(text)) return { text, toolsRan };
  }
  return { text: '', toolsRan };
}

export async function startSoakModel(): Promise<SoakModel> {
  let overloaded = false;
  const counts = { ok: 0, overloaded: 0 };
  const answer = (req: RecordedRequest): ScriptEntry => {
    if (overloaded) {
      counts.overloaded++;
      return httpError(529, { retryAfterMs: 1 });
    }
    counts.ok++;
    const { text, toolsRan } = turnOf(req);
    const marker = MARKER.exec(text)?.[0] ?? 'ref-none';
    if (!toolsRan) {
      const card = /deactivate my card (\d{4})/.exec(text);
      if (card) return toolUse('request_card_deactivation', { last4: card[1]!, reason: 'The customer reports the card as lost' });
      if (/balance/i.test(text)) return toolUse('get_account_balance', {});
    }
    return reply(`Thanks for your message (${marker}). ${toolsRan ? 'I have looked that up for you.' : 'Here is what I can tell you.'}`);
  };
  const fake = await startFakeAnthropic({ fallback: answer });
  return { fake, setOverloaded: (on) => { overloaded = on; }, counts };
}
