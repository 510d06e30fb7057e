/**
 * Very long messages. Slack caps a message's text at 40,000 characters, and Helpline reads all of it; with
 * forwarded messages and file notes added, at most MAX_MESSAGE_CHARS reach the agent. Past that the text is cut
 * at a line or word boundary, the agent sees a marker saying so, and the customer is told in the thread where
 * reading stopped — never a silent cut.
 */
export const MAX_MESSAGE_CHARS = 45_000;

export interface Clipped { text: string; cut: boolean; kept: number }

export function clipText(text: string, max: number): Clipped {
  if (text.length <= max) return { text, cut: false, kept: text.length };
  let end = max;
  const boundary = Math.max(text.lastIndexOf('\n', max), text.lastIndexOf(' ', max));
  if (boundary > max - 500) end = boundary;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // never split a surrogate pair
  const kept = text.slice(0, end).trimEnd();
  return {
    text: `${kept}\n\n[Helpline note: this message was ${text.length} characters long; only the first ${kept.length} are shown above. The customer has been told.]`,
    cut: true,
    kept: kept.length,
  };
}

const n = (x: number) => x.toLocaleString('en-US');

/** What the customer is told when their message was cut. */
export function longMessageNotice(total: number, kept: number): string {
  return `Your message was ${n(total)} characters long, more than I can read at once, so I read the first ${n(kept)} characters. `
    + 'If something important came after that, please send it in a separate message.';
}
