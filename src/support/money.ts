/** Money is integer minor units everywhere; these turn it into display text. */

/** ISO 4217 currencies whose minor unit is not 2 digits (every other code has 2). */
const ZERO_DECIMALS: ReadonlySet<string> = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMALS: ReadonlySet<string> = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** How many minor digits a currency has (EUR 2, JPY 0, BHD 3), per ISO 4217: the one rule every money text uses. */
export function minorDigits(currency: string): number {
  return ZERO_DECIMALS.has(currency) ? 0 : THREE_DECIMALS.has(currency) ? 3 : 2;
}

/** `plainMoney(-123456, 'USD')` → `-1,234.56 USD`: tool results' form. Plain arithmetic (it runs on every tool result). */
export function plainMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const abs = Math.abs(Math.trunc(minor));
  const scale = 10 ** digits;
  const whole = String(Math.floor(abs / scale)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = digits ? `.${String(abs % scale).padStart(digits, '0')}` : '';
  return `${minor < 0 ? '-' : ''}${whole}${frac} ${currency}`;
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
