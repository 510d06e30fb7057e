/**
 * Which legacy charset 8-bit text that is not UTF-8 is most likely in, when its label is missing or cannot be
 * right (a 7-bit label on 8-bit bytes). Mail clients run a detector here (Thunderbird: chardetng); this is a small
 * one built on the byte structure each family leaves:
 * - Western text has isolated high bytes between ASCII letters ("caf\xe9", "M\xfcller") → windows-1252;
 * - Cyrillic text has whole words of high bytes, nearly all in 0xC0–0xFF → windows-1251 or KOI8-R, whichever
 *   reads as mostly lower-case letters;
 * - CJK text comes in byte pairs: the decoder that accepts every pair (fatal mode) and yields the family's script
 *   wins (kana → Japanese, Hangul → Korean, ideographs → Chinese).
 * Linear: a few passes over at most `SAMPLE_BYTES` bytes.
 */
const SAMPLE_BYTES = 64 * 1024;
const DEFAULT_LEGACY = 'windows-1252';

interface ByteStats {
  high: number;
  /** High bytes next to another high byte. */
  paired: number;
  /** High bytes in 0xC0–0xFF (plus 0xA8/0xB8, Ё/ё in windows-1251). */
  upper: number;
  /** Two-byte sequences whose second byte is below 0xA1 (Big5 / Shift_JIS trail bytes; never in GB2312/EUC). */
  lowTrail: number;
}

function stats(bytes: Uint8Array): ByteStats {
  const s: ByteStats = { high: 0, paired: 0, upper: 0, lowTrail: 0 };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x80) continue;
    s.high++;
    if ((bytes[i - 1] ?? 0) >= 0x80 || (bytes[i + 1] ?? 0) >= 0x80) s.paired++;
    if (b >= 0xc0 || b === 0xa8 || b === 0xb8) s.upper++;
  }
  // Pair up high lead bytes left to right the way a double-byte decoder would.
  for (let i = 0; i < bytes.length - 1; i++) {
    if ((bytes[i] as number) < 0x81) continue;
    if ((bytes[i + 1] as number) < 0xa1) s.lowTrail++;
    i++;
  }
  return s;
}

function strictDecode(label: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A few characters cannot tell a script from noise. */
const MIN_SCRIPT_CHARS = 3;

/** Share of the non-ASCII characters of `text` that match `script` (0 when too few match to tell). */
function scriptShare(text: string, script: RegExp): number {
  let total = 0;
  let hits = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) continue;
    total++;
    if (script.test(ch)) hits++;
  }
  return hits < MIN_SCRIPT_CHARS ? 0 : hits / total;
}

const KANA = /[\u3040-\u30ff]/u;
const JAPANESE = /[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]/u;
const HANGUL = /[\uac00-\ud7af\u3131-\u318e]/u;
const CHINESE = /[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]/u;

function guessCjk(bytes: Uint8Array, s: ByteStats): string | undefined {
  for (const label of ['shift_jis', 'euc-jp']) {
    const text = strictDecode(label, bytes);
    if (text !== undefined && KANA.test(text) && scriptShare(text, JAPANESE) >= 0.9) return label;
  }
  const korean = strictDecode('euc-kr', bytes);
  if (korean !== undefined && scriptShare(korean, HANGUL) >= 0.8) return 'euc-kr';
  const order = s.lowTrail > 0 ? ['big5', 'gbk'] : ['gbk', 'big5'];
  for (const label of order) {
    const text = strictDecode(label, bytes);
    if (text !== undefined && scriptShare(text, CHINESE) >= 0.8) return label;
  }
  return undefined;
}

function lowerShare(text: string): number {
  let lower = 0;
  let letters = 0;
  for (const ch of text) {
    if (!/\p{Script=Cyrillic}/u.test(ch)) continue;
    letters++;
    if (ch !== ch.toUpperCase()) lower++;
  }
  return letters === 0 ? 0 : lower / letters;
}

export function guessLegacyCharset(input: Uint8Array): string {
  const bytes = input.length > SAMPLE_BYTES ? input.subarray(0, SAMPLE_BYTES) : input;
  const s = stats(bytes);
  if (s.high === 0 || s.paired / s.high < 0.5) return DEFAULT_LEGACY;
  if (s.upper / s.high >= 0.85) {
    const cp1251 = new TextDecoder('windows-1251').decode(bytes);
    const koi8 = new TextDecoder('koi8-r').decode(bytes);
    const best = lowerShare(koi8) > lowerShare(cp1251) ? 'koi8-r' : 'windows-1251';
    // Runs of accented Latin capitals would read as Cyrillic too; require real words (mostly lower case).
    if (Math.max(lowerShare(koi8), lowerShare(cp1251)) >= 0.5) return best;
  }
  return guessCjk(bytes, s) ?? DEFAULT_LEGACY;
}
