/** Money is integer minor units everywhere; these turn it into display text. */

/** How many minor digits a currency has (EUR 2, JPY 0, BHD 3), per Intl. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** `formatMinor(123456, 'EUR')` → `€1,234.56`. */
export function formatMinor(amountMinor: number, currency: string, locale = 'en-US'): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amountMinor / 10 ** digits);
}
