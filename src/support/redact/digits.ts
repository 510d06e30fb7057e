/** Decimal digits in any script (ASCII, full-width, Arabic-Indic, Devanagari, mathematical...) read as 0-9. */

const ND = /^\p{Nd}$/u;

/**
 * The value of one Unicode decimal digit. Unicode keeps every script's digits as a contiguous run starting at
 * zero (some runs back to back, like the mathematical digits), so the value is the distance from the run's start.
 */
export function digitValue(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp >= 48 && cp <= 57) return cp - 48;
  if (cp >= 0xff10 && cp <= 0xff19) return cp - 0xff10;
  let back = 0;
  while (back < 60 && ND.test(String.fromCodePoint(cp - back - 1))) back++;
  return back % 10;
}

/** The ASCII digits of `text` (its decimal digits in any script), everything else dropped. */
export function asciiDigits(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text.replace(/\D/g, '');
  let out = '';
  for (const ch of text) if (ND.test(ch)) out += String(digitValue(ch));
  return out;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616 check of an IBAN (letters and digits only, upper case). */
export function ibanValid(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34 || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1;
}
