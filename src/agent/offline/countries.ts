/**
 * Country names → ISO 3166-1 alpha-2 codes, for every region Node's ICU names (Intl.DisplayNames), in English and
 * a few neighbouring languages, plus the everyday aliases people type ("UK", "USA", "Holland").
 */

/** Region subtags ICU names that are not ISO 3166-1 countries (EU, UN, pseudo-regions, reserved codes). */
const NOT_COUNTRIES = ['EU', 'EZ', 'UN', 'QO', 'ZZ', 'XA', 'XB', 'AC', 'CP', 'CQ', 'DG', 'EA', 'IC', 'TA'];
/** English names in both styles ("United Kingdom", "UK"), then long names in the languages customers also type. */
const NAMINGS: ReadonlyArray<readonly [string, 'long' | 'short']> = [['en', 'long'], ['en', 'short'], ['de', 'long'], ['fr', 'long'], ['es', 'long'], ['it', 'long'], ['nl', 'long']];
const ALIASES: Readonly<Record<string, string>> = {
  uk: 'GB', 'u k': 'GB', britain: 'GB', 'great britain': 'GB', england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB',
  'united kingdom of great britain and northern ireland': 'GB', us: 'US', usa: 'US', 'u s': 'US', 'u s a': 'US', america: 'US',
  'united states of america': 'US', 'the states': 'US', 'dr congo': 'CD', drc: 'CD',
  'democratic republic of the congo': 'CD', 'republic of the congo': 'CG', holland: 'NL', 'the netherlands': 'NL', deutschland: 'DE',
  'czech republic': 'CZ', 'south korea': 'KR', 'republic of korea': 'KR', korea: 'KR', 'north korea': 'KP', russia: 'RU',
  'ivory coast': 'CI', turkey: 'TR', burma: 'MM', swaziland: 'SZ', macedonia: 'MK', vatican: 'VA', 'vatican city': 'VA',
  uae: 'AE', emirates: 'AE', 'hong kong': 'HK', macau: 'MO', macao: 'MO', 'republic of ireland': 'IE', eire: 'IE', bosnia: 'BA',
  'cape verde': 'CV', 'east timor': 'TL', 'st lucia': 'LC', 'saint lucia': 'LC', 'st kitts and nevis': 'KN',
  'saint kitts and nevis': 'KN', 'st vincent and the grenadines': 'VC', 'trinidad': 'TT', 'new zealand': 'NZ', 'aotearoa': 'NZ',
};

/** A name as typed → comparable key: lower case, no accents, "&" as "and", no dots or dashes, single spaces. */
export function countryKey(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/&/g, ' and ').replace(/[’'`]/g, '')
    .replace(/[.\-–(),]/g, ' ').replace(/\bsaint\b/g, 'st').replace(/\s+/g, ' ').trim();
}

export type CountryLookup = (name: string) => string | undefined;

/** The ISO 3166-1 alpha-2 codes ICU knows, without deprecated ones ("DD" canonicalises to "DE"). */
function isoCodes(): string[] {
  const english = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const codes: string[] = [];
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(65 + i, 65 + j);
      if (NOT_COUNTRIES.includes(code) || !english.of(code)) continue;
      if (Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}`) codes.push(code);
    }
  }
  return codes;
}

export function createCountryLookup(): CountryLookup {
  const codes = isoCodes();
  const byName = new Map<string, string>();
  const ambiguous = new Set<string>();
  const add = (name: string, code: string, piece = false) => {
    const key = countryKey(name);
    if (!key || ambiguous.has(key)) return;
    const had = byName.get(key);
    if (had === undefined) byName.set(key, code);
    else if (piece && had !== code) {
      byName.delete(key);
      ambiguous.add(key);
    }
  };
  for (const [alias, code] of Object.entries(ALIASES)) add(alias, code);
  for (const [locale, style] of NAMINGS) {
    const names = new Intl.DisplayNames([locale], { type: 'region', style, fallback: 'none' });
    for (const code of codes) {
      const name = names.of(code);
      if (!name) continue;
      add(name, code);
      // "Myanmar (Burma)", "Congo - Kinshasa", "Hong Kong SAR China": the parts people type on their own too.
      for (const piece of name.split(/\s*[()]\s*|\s+-\s+|\s+SAR\s+/)) if (piece.length > 3 && piece !== name) add(piece, code, true);
    }
  }
  const valid = new Set(codes);
  return (name) => {
    const raw = name.trim().replace(/[.!]+$/, '');
    if (/^[A-Za-z]{2}$/.test(raw)) {
      const code = raw.toUpperCase();
      if (code === 'UK') return 'GB';
      return valid.has(code) ? code : undefined;
    }
    const key = countryKey(raw);
    return byName.get(key) ?? byName.get(key.replace(/^the /, ''));
  };
}
