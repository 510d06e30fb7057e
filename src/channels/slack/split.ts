/** Cutting long mrkdwn into Slack messages: paragraph, then line, then word boundaries; entities and code blocks kept whole. */

const FENCE = '```';

/** Slack's per-message limit for a section/text we aim for (the hard API limit is larger). */
export const SLACK_CHUNK_CHARS = 3000;
/** At most this many messages for one reply; the rest is dropped with a note. */
export const SLACK_MAX_CHUNKS = 40;

/** Where a cut at `index` would land inside an `&…;` entity, move it before the `&`. */
function avoidEntity(text: string, index: number): number {
  const amp = text.lastIndexOf('&', index - 1);
  if (amp >= 0 && index - amp < 6) {
    const semi = text.indexOf(';', amp);
    if (semi >= index && /^&(amp|lt|gt);/.test(text.slice(amp, semi + 1))) return amp;
  }
  return index;
}

/** True when `index` lies inside a ``` code block of `text`. */
function insideFence(text: string, index: number): boolean {
  let count = 0;
  let at = text.indexOf(FENCE);
  while (at !== -1 && at < index) {
    count += 1;
    at = text.indexOf(FENCE, at + FENCE.length);
  }
  return count % 2 === 1;
}

function bestCut(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  const min = Math.floor(limit * 0.3);
  const candidates: Array<{ re: RegExp; allowInFence: boolean }> = [
    { re: /\n\n/g, allowInFence: false },
    { re: /\n/g, allowInFence: false },
    { re: /\n/g, allowInFence: true },
    { re: /[ \t]/g, allowInFence: true },
  ];
  for (const { re, allowInFence } of candidates) {
    let best = -1;
    for (const m of window.matchAll(re)) {
      const at = m.index + m[0].length;
      if (at > limit || at < min) continue;
      if (!allowInFence && insideFence(text, at)) continue;
      best = at;
    }
    if (best > 0) return best;
  }
  return avoidEntity(text, limit);
}

/** Split mrkdwn into messages of at most `limit` characters; a code block cut in two is closed and reopened. */
export function splitForSlack(text: string, limit = SLACK_CHUNK_CHARS, maxChunks = SLACK_MAX_CHUNKS): string[] {
  const budget = limit - 8; // room to close/reopen a fence
  const chunks: string[] = [];
  let rest = text.trim();
  let reopen = false;
  while (rest.length > 0) {
    const piece: string = (reopen ? FENCE + '\n' : '') + rest;
    let cut = piece.length <= budget ? piece.length : bestCut(piece, budget);
    if (cut <= (reopen ? FENCE.length + 1 : 0)) cut = avoidEntity(piece, budget);
    let chunk: string = piece.slice(0, cut);
    const consumed = cut - (reopen ? FENCE.length + 1 : 0);
    rest = rest.slice(consumed).replace(/^\n+/, '');
    reopen = insideFence(chunk, chunk.length) && rest.length > 0;
    if (reopen) chunk = chunk.replace(/\s+$/, '') + '\n' + FENCE;
    chunk = chunk.trimEnd();
    if (chunk.length > 0) chunks.push(chunk);
    if (chunks.length === maxChunks && rest.length > 0) {
      chunks[maxChunks - 1] = `${chunks[maxChunks - 1]}\n_(reply shortened: it was too long for Slack)_`;
      break;
    }
  }
  return chunks;
}

