/** Address parsing for the offline assistant: "12 High Street, London SW1A 1AA, GB" → structured address. */

export interface ParsedAddress { line1: string; line2?: string; city: string; region?: string; postalCode: string; country: string }

const COUNTRY_NAMES: Record<string, string> = {
  uk: 'GB', 'united kingdom': 'GB', 'great britain': 'GB', england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB',
  us: 'US', usa: 'US', 'united states': 'US', 'united states of america': 'US', america: 'US',
  ireland: 'IE', germany: 'DE', france: 'FR', spain: 'ES', italy: 'IT', netherlands: 'NL', 'the netherlands': 'NL',
  canada: 'CA', australia: 'AU', 'new zealand': 'NZ', belgium: 'BE', portugal: 'PT', sweden: 'SE', norway: 'NO',
  denmark: 'DK', switzerland: 'CH', austria: 'AT', poland: 'PL', india: 'IN', japan: 'JP',
};

const POSTAL_PATTERNS = [
  /\b([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\b/i, // UK
  /\b([A-Z]\d[A-Z]\s?\d[A-Z]\d)\b/i, // Canada
  /\b(\d{4}\s?[A-Z]{2})\b/i, // Netherlands
  /\b(\d{5}(?:-\d{4})?)\b/, // US / DE / FR ...
  /\b(\d{3,4})\b/, // AU / NZ / CH / BE ...
];

function countryCode(raw: string): string | undefined {
  const s = raw.trim().replace(/\.$/, '');
  if (/^[A-Za-z]{2}$/.test(s)) return s.toUpperCase() === 'UK' ? 'GB' : s.toUpperCase();
  return COUNTRY_NAMES[s.toLowerCase()];
}

/** The address part of a request like "change my address to …" / "my new address is …" / "I moved to …". */
export function addressText(text: string): string | undefined {
  const m = /(?:address\s*(?:is|to|:|=)?\s*(?:to\s+|:\s*)?|moved\s+to\s+|move\s+to\s+)(.+)$/is.exec(text.trim());
  const raw = m?.[1]?.trim().replace(/[.!]+$/, '').trim();
  return raw && /\d|,/.test(raw) ? raw : undefined;
}

export function parseAddress(raw: string): ParsedAddress | undefined {
  const parts = raw.split(/[,\n]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length < 2) return undefined;
  const country = countryCode(parts[parts.length - 1]!);
  if (!country) return undefined;
  const rest = parts.slice(0, -1);
  const last = rest[rest.length - 1];
  if (!last) return undefined;
  let postalCode: string | undefined;
  let leftover = '';
  for (const re of POSTAL_PATTERNS) {
    const m = re.exec(last);
    if (m?.[1]) {
      postalCode = m[1].toUpperCase().replace(/\s+/g, ' ');
      leftover = last.replace(m[1], ' ').replace(/\s+/g, ' ').trim();
      break;
    }
  }
  if (!postalCode) return undefined;
  const before = rest.slice(0, -1);
  const line1 = before[0];
  if (!line1) return undefined;
  let city: string | undefined;
  let region: string | undefined;
  let middle: string[];
  if (leftover && /^[A-Z]{2,3}$/.test(leftover) && before.length >= 2) {
    region = leftover;
    city = before[before.length - 1];
    middle = before.slice(1, -1);
  } else if (leftover) {
    city = leftover;
    middle = before.slice(1);
  } else {
    if (before.length < 2) return undefined;
    city = before[before.length - 1];
    middle = before.slice(1, -1);
  }
  if (!city) return undefined;
  const out: ParsedAddress = { line1, city, postalCode, country };
  if (middle.length) out.line2 = middle.join(', ');
  if (region) out.region = region;
  return out;
}

export function formatAddress(a: { line1: string; line2?: string | undefined; city: string; region?: string | undefined; postalCode: string; country: string }): string {
  return [a.line1, a.line2, a.city, [a.region, a.postalCode].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
}
