/**
 * The words that introduce a secret ("password", "PIN", "CVV", "OTP", "API key"...), the words that may stand
 * between the label and the secret, and the separators ("is", ":", "to"). Regex sources, composed in labelled.ts:
 * - matched against lower-cased text (case-insensitive Unicode patterns cost V8 far more to compile), so every
 *   literal here is lower case;
 * - non-capturing groups only; no repetition nested in repetition;
 * - whitespace as \s+ / \s*, never \s{1,3}: V8 unrolls small bounded quantifiers, and these patterns then took
 *   hundreds of milliseconds to compile on the first message.
 */

const S = String.raw`\s+`;

/** password and its spellings: pasword, pass word, p4ssw0rd, pa$$word, passwd, pwd, pw, passphrase, passcode, and other languages. */
export const PASSWORD_KEYS = [
  String.raw`p[a4@][s5$]{1,2}[\s-]?w[o0]r[dt]`,
  String.raw`p[a4@][s5$]{1,2}wr?d`,
  String.raw`p[a4@][s5$]{2}(?:phrase|c[o0]de)`,
  String.raw`pswd|pwd|pw|p\/w|pword`,
  String.raw`kennwort|mot${S}de${S}passe|contrase(?:ñ|n)a|clave|wachtwoord|senha|has(?:ł|l)o|parola|пароль|lösenord|adgangskode|passord|salasana|(?:ş|s)ifre|kata${S}sandi`,
].join('|');

/** Labels that are also ordinary words: only a credential-shaped value after them counts. */
export const WEAK_KEYS = String.raw`pass|p[a4@][s5$]{2}|secret|geheimnis`;

export const PIN_KEYS = String.raw`p[i1]n(?:[\s-]?(?:number|code|no\.?|#))?|pincode|geheimzahl`;

const BACK = String.raw`(?:on|at|in)${S}(?:the${S})?(?:back|reverse|rear|signature${S}strip)(?:${S}of${S}(?:the${S}|my${S})?card)?`;
export const CVV_KEYS = [
  String.raw`(?:cvv2?|cvc2?|cvn|cid|csc|cav2|cvd)(?:${S}(?:code|number|no\.?))?`,
  String.raw`card${S}(?:verification|security)${S}(?:value|code|number)`,
  String.raw`security${S}(?:code|number)|sec${S}code|card${S}code`,
  String.raw`(?:3|three|4|four)[\s-]?digits?(?:${S}(?:security${S}|verification${S})?(?:code|number))?${S}${BACK}`,
  String.raw`(?:3|three|4|four)[\s-]?digits?${S}(?:security${S}|verification${S})?(?:code|number)`,
  String.raw`(?:code|number)${S}${BACK}`,
].join('|');

/** "last 4 digits", "card ending": what a customer gives on purpose. */
export const NOT_AFTER_CVV = String.raw`(?<!(?:last|first|final|ending|ends|ending${S}in)${S}(?:(?:the|in|with)${S})?)`;

export const OTP_KEYS = [
  String.raw`otp|totp|2fa(?:${S}code)?|mfa(?:${S}code)?|one[\s-]?time${S}(?:pass)?(?:code|password|pin|passcode)`,
  String.raw`two[\s-](?:factor|step)(?:${S}(?:auth(?:entication)?${S})?(?:code|verification${S}code))?`,
  String.raw`(?:verification|confirmation|authentication|auth|login|log[\s-]?in|sign[\s-]?in|sms|text|access|activation|authenticator|security|otp|one[\s-]?time|6[\s-]?digit|six[\s-]?digit|8[\s-]?digit)${S}code`,
  String.raw`c(?:ó|o)digo(?:${S}de${S}(?:verificaci(?:ó|o)n|seguridad|confirmaci(?:ó|o)n))?|код(?:${S}подтверждения)?|best(?:ä|a)tigungscode|verifizierungscode|code${S}de${S}(?:v(?:é|e)rification|confirmation|s(?:é|e)curit(?:é|e))|verificatiecode`,
  // plain "code", unless it is a zip code, promo code, error code and the like
  String.raw`(?<!(?:zip|postal|post|area|country|promo|promotional|discount|coupon|voucher|gift|referral|invite|sort|swift|bic|bank|branch|routing|ifsc|error|status|reference|ref|product|tracking|qr|bar|source|dial|merchant|mcc|tax|iso|currency|dress|region|airport|language|program|sample|example|html|css|http|response|exit|return|billing|postcode|security|verification|card)[\s-]+)code`,
].join('|');

export const TOKEN_KEYS = [
  String.raw`(?:api|app|application|consumer|client|signing|webhook|master|encryption|account|storage|shared[\s_-]?access|private|access|secret(?:[\s_-]?access)?|auth(?:orization)?|bearer|refresh|session|bot|oauth|personal[\s_-]?access|slack|github|stripe|aws(?:[\s_-]?secret(?:[\s_-]?access)?)?|x-api)[\s_-]?(?:key|secret|token)(?:[\s_-]?id)?`,
  String.raw`token|apikey|accesskey|secretkey|authtoken|x-auth-token`,
].join('|');

/** Between a label and the separator: "password for online banking is", "pass I use is", "code you sent me is". */
const PREP = String.raw`${S}(?:for|on|to|of|at|in|into|with)${S}(?:(?:the|my|your|our|this|that)${S})?[^\s:=()]{1,30}(?:${S}(?:app|account|site|website|login|portal|banking|card|email|e-mail|profile))?`;
export const I_USE = String.raw`(?:${S}(?:that|which))?${S}(?:i|we)(?:${S}(?:usually|always|normally|now|currently|just|also|ever))?${S}(?:use|used|set|chose|picked|created|made|have|had|type|typed|enter|entered|tried|put|got|received|sent|gave${S}you|am${S}using|['’]m${S}using|['’]ve${S}(?:been${S}using|used|set|got))`;
const YOU_SENT = String.raw`${S}(?:you|u|they)(?:${S}just)?${S}(?:sent|texted|emailed|gave)(?:${S}(?:me|us))?|${S}(?:sent|texted|emailed)${S}to${S}(?:me|my${S}(?:phone|email|mobile))`;
const WHEN = String.raw`(?:${S}(?:right${S}now|now|currently|today|here))?`;
/** "security code (CVV) is", "password (case sensitive):" */
const ASIDE = String.raw`(?:\s*\([^()\n]{1,30}\))?`;
export const FILLER = String.raw`${ASIDE}(?:${PREP})?(?:${I_USE}|${YOU_SENT})?${WHEN}`;

/** "is", "was", "to" (change my password to X)... longest first, so "is now X" is not read as "is" + "now". */
const VERBS = [
  'is', 'was', 'are', 'were', 'to', 'becomes', 'became', 'will be', 'would be', 'should be', 'shall be', 'must be', 'could be',
  'is now', 'now is', 'is still', 'was still', 'is set to', 'was set to', 'has been set to', 'is changed to', 'was changed to',
  'has been changed to', 'got changed to', 'was reset to', 'has been reset to', 'is like', 'reads', 'says', 'as',
  'ist', 'lautet', 'war', 'est', 'était', 'es', 'era', 'é', 'è', 'is nu', 'was nu', 'jest', 'är', 'er', 'это', 'был',
].sort((a, b) => b.length - a.length).map((v) => v.replace(/ /g, S));
export const VERBAL = String.raw`(?:${S}(?:${VERBS.join('|')})|['’]s)(?:\s*[:=])?${S}`;
export const EXPLICIT = String.raw`["'\u201d\u2019]?[ \t]*(?:[:=\uff1a\uff1d#]|->|=>|\u2192)\s*|[ \t]+[-\u2013\u2014][ \t]+`;
export const BARE = String.raw`[ \t]+`;

/** One value: a quoted phrase, or a run of non-space characters. */
export const ANY_VALUE = String.raw`"[^"\n]{1,200}"|'[^'\n]{1,200}'|\u201c[^\u201d\n]{1,200}\u201d|\u2018[^\u2019\n]{1,200}\u2019|«[^»\n]{1,200}»|「[^」\n]{1,200}」|\x60[^\x60\n]{1,200}\x60|\S+`;
const END = String.raw`(?![\p{L}\p{N}])`;
export const PIN_VALUE = String.raw`\p{Nd}(?:[ -]?\p{Nd}){2,11}${END}`;
export const CVV_VALUE = String.raw`\p{Nd}{3,4}${END}`;
export const OTP_VALUE = String.raw`(?:[a-z]-)?\p{Nd}(?:[ -]?\p{Nd}){3,9}${END}`;
