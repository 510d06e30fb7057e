/**
 * Credentials recognisable by their own shape, wherever they appear: provider tokens and API keys (the prefixes
 * GitHub secret scanning and gitleaks key on), JWTs, Bearer/Basic credentials, passwords inside URLs, secret URL
 * parameters and connection-string keys. Every pattern starts where a token starts and has no nested repetition,
 * so matching stays linear in the length of the text.
 */
import type { RedactionKind, Span } from './kinds.js';

interface TokenRule {
  re: RegExp;
  /** Capture group holding the secret (0: the whole match). */
  group?: number;
  kind?: RedactionKind | ((m: RegExpMatchArray) => RedactionKind);
  check?: (secret: string) => boolean;
}

/** Not inside a longer token. */
const B = String.raw`(?<![A-Za-z0-9_\-])`;
const mixed = (s: string) => /\d/.test(s) && /[A-Za-z]/.test(s);

function basicCredential(b64: string): boolean {
  if (b64.length % 4 === 1) return false;
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  return /^[\x20-\x7e\u00a0-\uffff]{1,200}:[\x20-\x7e\u00a0-\uffff]*$/u.test(decoded) && !decoded.includes('\ufffd');
}

const PARAM_KIND: Record<string, RedactionKind> = { password: 'password', passwd: 'password', pwd: 'password', code: 'one_time_code', otp: 'one_time_code' };

const RULES: TokenRule[] = [
  // Slack: bot, user, app-level, refresh and configuration tokens; incoming webhooks
  { re: new RegExp(String.raw`${B}xox[abeoprs](?:\.xox[abep])?-[A-Za-z0-9-]{8,}`, 'g'), check: (s) => /\d/.test(s) },
  { re: new RegExp(String.raw`${B}xapp-\d-[A-Za-z0-9-]{8,}`, 'g') },
  { re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_+-]{8,}/g },
  { re: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{20,}/g },
  // Anthropic, OpenAI and other "sk-" keys; Stripe secret and restricted keys, webhook secrets
  { re: new RegExp(String.raw`${B}sk-ant-[A-Za-z0-9_-]{16,}`, 'g') },
  { re: new RegExp(String.raw`${B}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, 'g'), check: mixed },
  { re: new RegExp(String.raw`${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}`, 'g') },
  { re: new RegExp(String.raw`${B}whsec_[A-Za-z0-9+/=]{16,}`, 'g') },
  // GitHub, GitLab
  { re: new RegExp(String.raw`${B}gh[pousr]_[A-Za-z0-9]{30,}`, 'g') },
  { re: new RegExp(String.raw`${B}github_pat_[A-Za-z0-9_]{30,}`, 'g') },
  { re: new RegExp(String.raw`${B}gl(?:pat|dt|rt|ptt|ft|imt|cbt|oas|soat|ffct|agent)-[A-Za-z0-9_-]{20,}`, 'g') },
  // Google API keys, OAuth access tokens and client secrets; SendGrid
  { re: new RegExp(String.raw`${B}AIza[A-Za-z0-9_-]{30,}`, 'g') },
  { re: new RegExp(String.raw`${B}ya29\.[A-Za-z0-9_-]{20,}`, 'g') },
  { re: new RegExp(String.raw`${B}GOCSPX-[A-Za-z0-9_-]{20,}`, 'g') },
  { re: /(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  // AWS access key ids (the secret access key is found by its label)
  { re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  // npm, PyPI, Hugging Face, Shopify, DigitalOcean, Mailgun, Twilio, Telegram, Square, xAI, Linear, New Relic, age
  { re: new RegExp(String.raw`${B}npm_[A-Za-z0-9]{36}`, 'g') },
  { re: new RegExp(String.raw`${B}pypi-[A-Za-z0-9_-]{50,}`, 'g') },
  { re: new RegExp(String.raw`${B}hf_[A-Za-z0-9]{30,}`, 'g') },
  { re: new RegExp(String.raw`${B}shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}`, 'g') },
  { re: new RegExp(String.raw`${B}do[por]_v1_[a-f0-9]{64}`, 'g') },
  { re: new RegExp(String.raw`${B}key-[0-9a-f]{32}(?![A-Za-z0-9])`, 'g') },
  { re: /(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])/g },
  { re: /(?<![\d])\d{8,10}:AA[A-Za-z0-9_-]{30,}/g },
  { re: new RegExp(String.raw`${B}sq0(?:atp|csp)-[A-Za-z0-9_-]{20,}`, 'g') },
  { re: new RegExp(String.raw`${B}(?:xai-[A-Za-z0-9]{40,}|lin_api_[A-Za-z0-9]{30,}|NRAK-[A-Z0-9]{20,}|AGE-SECRET-KEY-1[0-9A-Z]{50,})`, 'g') },
  // JWT / JWS / JWE: base64url JSON header and payload
  { re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]+){0,3}/g },
  // Authorization schemes
  { re: /(?<![\p{L}\p{N}])(?:bearer|token)\s+([A-Za-z0-9._~+/=-]{16,})/giu, group: 1, check: mixed },
  { re: /(?<![\p{L}\p{N}])basic\s+([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/giu, group: 1, check: basicCredential },
  // scheme://user:password@host
  { re: /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:/@<>|"'`]{0,100}:([^\s@/<>|"'`]{1,200})@/g, group: 1, kind: 'password' },
  // secret URL parameters: ?access_token=..., &sig=..., &password=...
  {
    re: /[?&](access_token|id_token|refresh_token|token|api_?key|key|sig|signature|secret|client_secret|password|passwd|pwd|auth|code|otp)=([^&\s#"'<>|]{6,})/gi,
    group: 2,
    kind: (m) => PARAM_KIND[(m[1] ?? '').toLowerCase()] ?? 'token',
    check: (s) => /\d/.test(s) || s.length >= 16,
  },
  // connection strings: AccountKey=...; SharedAccessKey=...; Password=...
  {
    re: /(?<![\p{L}\p{N}])(AccountKey|SharedAccessKey|SharedAccessSignature|SharedSecret|AccessKey|SecretKey|ClientSecret|ApiKey|Password|Pwd)\s*=\s*([^;\s"'<>]+)/giu,
    group: 2,
    kind: (m) => (/^(?:password|pwd)$/i.test(m[1] ?? '') ? 'password' : 'token'),
    check: (s) => !s.startsWith('[') && s.length >= 1,
  },
];

export function findTokens(text: string, out: Span[]): void {
  for (const rule of RULES) {
    for (const m of text.matchAll(rule.re)) {
      const group = rule.group ?? 0;
      const secret = m[group];
      if (secret === undefined || (rule.check && !rule.check(secret))) continue;
      // every capture group ends its match, so its last occurrence in the match is the group itself
      const start = m.index + (group === 0 ? 0 : m[0].lastIndexOf(secret));
      const kind = typeof rule.kind === 'function' ? rule.kind(m) : (rule.kind ?? 'token');
      out.push({ start, end: start + secret.length, kind });
    }
  }
}
