/** Money is integer minor units everywhere; these turn it into display text. */

/** How many minor digits a currency has (EUR 2, JPY 0, BHD 3), per Intl. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** `formatMinor(123456, 'EUR')` → `€1,234.56`. Builds its formatter each call: prefer `createMoneyFormatter` on hot paths. */
export function formatMinor(amountMinor: number, currency: string, locale = 'en-US'): string {
  return buildFormatter(currency, locale)(amountMinor);
}

function buildFormatter(currency: string, locale: string): (amountMinor: number) => string {
  const digits = minorDigits(currency);
  const nf = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  const scale = 10 ** digits;
  return (amountMinor) => nf.format(amountMinor / scale);
}

/**
 * A formatter that keeps one Intl.NumberFormat per currency (building one costs ~40 µs, more than the
 * rest of a balance read). Currencies are a small closed set, so the cache is bounded by what the store holds.
 */
export function createMoneyFormatter(locale = 'en-US'): (amountMinor: number, currency: string) => string {
  const cache = new Map<string, (amountMinor: number) => string>();
  return (amountMinor, currency) => {
    let f = cache.get(currency);
    if (!f) {
      f = buildFormatter(currency, locale);
      if (cache.size < 200) cache.set(currency, f);
    }
    return f(amountMinor);
  };
}
