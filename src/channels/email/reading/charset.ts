import iconv from 'iconv-lite';
import { guessLegacyCharset } from './charset-guess.js';

/**
 * Bytes of one text part → string, trusting the charset label only where it is plausible, the way mail clients
 * read mislabelled mail:
 * - 7-bit bytes carrying ISO-2022-JP escape sequences are ISO-2022-JP, whatever the label (or none) says;
 * - 8-bit bytes that are valid UTF-8 are UTF-8: no legacy 8-bit text of any length is valid UTF-8 by chance, so a
 *   Big5, Latin-1 or windows-1252 label on them is wrong;
 * - 8-bit bytes under a 7-bit label (us-ascii, ISO-2022-*, UTF-7), under an unknown label or none, and "UTF-8"
 *   that holds no UTF-8 sequence at all are in a legacy charset: guessed (charset-guess.ts);
 * - an HTML part without a label may name its charset in a `<meta>` tag.
 * Labels resolve as in the WHATWG Encoding Standard (what browsers and Thunderbird use: `iso-8859-1` and
 * `us-ascii` read as windows-1252, `ks_c_5601-1987` as EUC-KR …); labels outside it (UTF-7, IBM code pages …)
 * go to iconv-lite.
 */
const NO_LABEL = new Set(['', 'unknown', 'unknown-8bit', 'x-unknown', 'x-user-defined', 'default', 'charset', 'none']);
const SEVEN_BIT_LABEL = /^(?:us-?ascii|ascii|ansi_x3\.4-1968|iso-?646-us|iso-2022-[a-z0-9-]+|csiso2022[a-z]+|utf-?7|unicode-1-1-utf-7|hz-gb-2312)$/u;
const ISO_2022_JP_ESCAPE = /\x1b(?:\$[@B]|\$\(D|\([BJI])/u;
const UTF8 = new TextDecoder('utf-8');

function cleanLabel(label: string | undefined): string | undefined {
  const l = (label ?? '').trim().replace(/^["']|["']$/gu, '').toLowerCase();
  return NO_LABEL.has(l) ? undefined : l;
}

function hasHighBytes(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether at least one well-formed multi-byte UTF-8 sequence occurs (i.e. the text is UTF-8 with stray bytes). */
function hasUtf8Sequence(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (need === 0) continue;
    let ok = true;
    for (let k = 1; k <= need; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) ok = false;
    if (ok) return true;
  }
  return false;
}

function metaCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  return cleanLabel(/<meta\b[^>]{0,300}?charset\s*=\s*["']?\s*([\w.:-]{1,40})/iu.exec(head)?.[1]);
}

/** Decode with a label: WHATWG first, iconv-lite for labels outside it; undefined for an unknown label. */
function decodeAs(label: string, bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    // not a WHATWG label
  }
  const name = label.replace(/^cp-/u, 'cp');
  return iconv.encodingExists(name) ? iconv.decode(Buffer.from(bytes), name) : undefined;
}

/** The charset the bytes are read in (for tests and logs), given the part's label. */
export function chooseCharset(bytes: Uint8Array, label: string | undefined, opts: { html?: boolean } = {}): string {
  let l = cleanLabel(label);
  if (!l && opts.html) l = metaCharset(bytes);
  if (l && /^utf-(?:16|32)/u.test(l)) return l;
  if (!hasHighBytes(bytes)) {
    if (ISO_2022_JP_ESCAPE.test(Buffer.from(bytes).toString('latin1')) && !(l && SEVEN_BIT_LABEL.test(l) && !/^(?:us-?)?ascii$/u.test(l))) return 'iso-2022-jp';
    return l && decodeAs(l, new Uint8Array()) !== undefined ? l : 'utf-8';
  }
  if (isValidUtf8(bytes)) return 'utf-8';
  if (l === 'utf-8' || l === 'utf8') return hasUtf8Sequence(bytes) ? 'utf-8' : guessLegacyCharset(bytes);
  if (!l || SEVEN_BIT_LABEL.test(l) || decodeAs(l, new Uint8Array()) === undefined) return guessLegacyCharset(bytes);
  return l;
}

export function decodeText(bytes: Uint8Array, label: string | undefined, opts: { html?: boolean } = {}): string {
  const charset = chooseCharset(bytes, label, opts);
  return decodeAs(charset, bytes) ?? UTF8.decode(bytes);
}
