/**
 * PEM / OpenSSH / PGP private keys: from "-----BEGIN ... PRIVATE KEY-----" to the matching "-----END ...-----".
 * A key pasted without its END line (cut off by the client) is removed up to the last line that still looks
 * like key material. One pass: each END search starts where the previous one stopped.
 */
import type { Span } from './kinds.js';

const BEGIN = String.raw`-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----`;
const END = String.raw`-----END[ A-Z0-9]{0,40}-----`;
/** Base64 lines, PEM headers ("Proc-Type: 4,ENCRYPTED") and the like: no ordinary words of a sentence. */
const KEY_WORD = String.raw`[A-Za-z0-9+/=,:-]{8,}|[A-Za-z0-9+/]{0,7}={1,2}`;

/** End of the key material that starts at `from` when no END line follows. */
function materialEnd(text: string, from: number): number {
  const word = new RegExp(KEY_WORD, 'y');
  let at = from;
  let end = from;
  for (;;) {
    while (at < text.length && /\s/.test(text[at] ?? '')) at++;
    word.lastIndex = at;
    const m = word.exec(text);
    if (!m || m[0].length === 0) return end;
    const next = at + m[0].length;
    if (next < text.length && !/\s/.test(text[next] ?? '')) return end; // a word that merely starts like key material
    end = next;
    at = next;
  }
}

export function findPrivateKeys(text: string, out: Span[]): void {
  if (!text.includes('PRIVATE KEY')) return;
  const begin = new RegExp(BEGIN, 'g');
  const end = new RegExp(END, 'y');
  let noEndAfter = Infinity; // no "-----END" at or after this offset
  for (let m = begin.exec(text); m !== null; m = begin.exec(text)) {
    const start = m.index;
    const bodyFrom = start + m[0].length;
    let stop = -1;
    let endAt = bodyFrom < noEndAfter ? text.indexOf('-----END', bodyFrom) : -1;
    while (endAt >= 0) {
      end.lastIndex = endAt;
      const e = end.exec(text);
      if (e) {
        stop = endAt + e[0].length;
        break;
      }
      endAt = text.indexOf('-----END', endAt + 1);
    }
    if (stop < 0) {
      noEndAfter = Math.min(noEndAfter, bodyFrom);
      stop = materialEnd(text, bodyFrom);
    }
    out.push({ start, end: stop, kind: 'private_key' });
    begin.lastIndex = Math.max(stop, bodyFrom);
  }
}
