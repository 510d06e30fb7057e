/**
 * Canonical form of one raw message before it is parsed, the way a mail server stores what it receives:
 * - a UTF-8 byte-order mark, empty or whitespace-only lines and an mbox `From ` separator line before the header
 *   section are dropped (the header section starts at the first real header line);
 * - every line ends in CRLF: bare CR (classic Mac OS, some exporters) and bare LF (Unix files, mbox) become CRLF.
 *
 * One linear pass; the input is returned as is when it is already canonical.
 */
const CR = 0x0d;
const LF = 0x0a;

function isBlank(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09;
}

/** End of the line starting at `i`: the index of its CR/LF, or the input length. */
function lineEnd(raw: Buffer, i: number): number {
  let j = i;
  while (j < raw.length && raw[j] !== CR && raw[j] !== LF) j++;
  return j;
}

/** Index just past the line break at `end` (CRLF, CR or LF), or `end` at the end of input. */
function afterBreak(raw: Buffer, end: number): number {
  if (raw[end] === CR) return raw[end + 1] === LF ? end + 2 : end + 1;
  return raw[end] === LF ? end + 1 : end;
}

/** Where the header section really starts: past a BOM, blank lines and one mbox `From ` line. */
export function headerStart(raw: Buffer): number {
  let i = raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  let sawFromLine = false;
  while (i < raw.length) {
    const end = lineEnd(raw, i);
    let j = i;
    while (j < end && isBlank(raw[j])) j++;
    const blank = j === end;
    // "From sender@host date" (mbox separator, no colon after From) — not a header field.
    const mboxFrom = !sawFromLine && end - i > 5 && raw.toString('latin1', i, i + 5) === 'From ';
    if (!blank && !mboxFrom) break;
    if (end === raw.length) return blank ? raw.length : i;
    if (mboxFrom) sawFromLine = true;
    i = afterBreak(raw, end);
  }
  return i;
}

function needsLineEndings(raw: Buffer, from: number): boolean {
  for (let i = from; i < raw.length; i++) {
    const b = raw[i];
    if (b === CR) {
      if (raw[i + 1] !== LF) return true;
      i++;
    } else if (b === LF) return true;
  }
  return false;
}

export function normalizeRaw(raw: Buffer): Buffer {
  const start = headerStart(raw);
  if (!needsLineEndings(raw, start)) return start === 0 ? raw : raw.subarray(start);
  // Worst case every byte is a bare CR or LF and doubles.
  const out = Buffer.allocUnsafe((raw.length - start) * 2);
  let o = 0;
  for (let i = start; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === CR) {
      out[o++] = CR;
      out[o++] = LF;
      if (raw[i + 1] === LF) i++;
    } else if (b === LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else out[o++] = b;
  }
  return out.subarray(0, o);
}
