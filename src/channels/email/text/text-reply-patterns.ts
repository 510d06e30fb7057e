/**
 * Line patterns used by the reply stripper. Every pattern is applied to ONE line whose length is capped by the caller
 * (see strip-reply.ts), uses only bounded or single quantifiers (no nested repetition) and so runs in linear time.
 */

/** Words mail clients use in "… wrote:" attribution lines, in many languages. */
const WROTE =
  '(?:wrote|writes|said|schrieb|geschrieben|a écrit|a ecrit|escribió|escribio|escreveu|ha scritto|scrisse|schreef|geschreven|skrev|skriver|kirjoitti|napisał\\(a\\)|napisała|napisał|napsal\\(a\\)|napsal|írta|yazdı|написал\\(а\\)|написала|написал|пише|написав|写道|寫道|が書きました|님이 작성)';

/** "On <date>, <someone> wrote:" and friends; the line must also hold a digit or an address to count. */
const ATTRIBUTION_VERB = new RegExp(`(?<![\\p{L}])${WROTE}(?![\\p{L}]).{0,200}?[:：][\\s-]*$`, 'iu');
const ATTRIBUTION_DASHED = new RegExp(`^-{2,}\\s*(?:on|le|am|el|em|il|op|den)\\s.{4,300}?${WROTE}\\s*-{2,}$`, 'iu');
/** "2013/7/20 sam via Discourse Meta <info@discourse.org>", "2016-03-03 17:21 GMT+01:00 Some One". */
const ATTRIBUTION_ISO_DATE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s|,).{0,200}?(?:<\s?[^\s<>@]{1,64}@[^\s<>]{1,255}>|\sGMT[+-]\d{1,2}(?::?\d{2})?)/iu;
/** "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote" (no colon). */
const ATTRIBUTION_NO_COLON = new RegExp(`^(?:on|le|am|el|em|il|op|den)\\s.{4,300}?\\s${WROTE}\\s*$`, 'iu');
/** "30.09.2017, 18.30, "John" <j@x.com>:", "ср, 30 апр. 2025 г. в 15:19, John <j@x.com>:" (date … address, colon). */
const ATTRIBUTION_DATE_ADDRESS = /^.{0,40}?\d.{0,200}?<[^\s<>@]{1,64}@[^\s<>]{1,255}>\s*[:：]\s*$/u;
/** Separators that introduce a quoted or forwarded message. */
const ORIGINAL_MESSAGE =
  /^[*_]*-*\s*(?:original message|ursprüngliche nachricht|originalnachricht|mensaje original|message d'origine|message original|messaggio originale|oorspronkelijk bericht|origineel bericht|mensagem original|originalmeddelande|ursprungligt meddelande|alkuperäinen viesti|oprindelig meddelelse|opprinnelig melding|wiadomość oryginalna|původní zpráva|исходное сообщение|оригинальное сообщение|forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|vidarebefordrat meddelande|oprindelig besked|oprindelig meddelelse|originalbesked|eredeti üzenet|orijinal mesaj|pôvodná správa|izvorna poruka|oryginalna wiadomość)\s*-*[*_]*\s*$/iu;
const FORWARD_INTRO = /^(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|inizio messaggio inoltrato|begin doorgestuurd bericht|início da mensagem reencaminhada)\s*[:：]\s*$/iu;

/** Mail-header names as quoted by clients (Outlook & co.) in several languages. */
const HEADER_NAMES =
  '(?:from|sent by|sent|to|cc|bcc|subject|date|reply-to|please respond to|von|gesendet von|gesendet|an|betreff|datum|antwort an|kopie|da|data|inviato|a|oggetto|risposta|de|enviado|enviada em|enviada|para|asunto|assunto|fecha|responder a|cco|envoyé par|envoyé|à|objet|date|répondre à|från|skickat|till|ämne|kopia|van|verzonden|aan|onderwerp|beantwoorden|od|wysłano|do|temat|dw|odesláno|komu|předmět|odoslané|predmet|de la|trimis|către|subiect|šalje|poslano|prima|za|zadeva|dari|dikirim|kepada|perihal|tanggal|từ|đã gửi|đến|chủ đề|от|отправлено|кому|тема|дата|копия|від|надіслано|копія|από|στάλθηκε|προς|θέμα|κοιν|מאת|נשלח|אל|נושא|من|تاريخ الإرسال|إلى|الموضوع|fra|sendt|til|emne|dato|kopi|lähettäjä|lähetetty|vastaanottaja|aihe|feladó|küldve|címzett|tárgy|kimden|gönderildi|kime|konu|差出人|送信者|送信日時|宛先|件名|日付|发件人|发送时间|收件人|抄送|主题|日期|寄件者|寄件日期|收件者|副本|主旨|보낸 사람|보낸 날짜|받는 사람|참조|제목|날짜)';
const HEADER_LINE = new RegExp(`^\\*?${HEADER_NAMES}\\s?\\*?\\s?[:：]\\*?(?:\\s|$)`, 'iu');
const FROM_NAMES = '(?:from|von|da|de|de la|från|van|od|от|від|fra|lähettäjä|feladó|kimden|šalje|dari|từ|από|מאת|من|差出人|送信者|发件人|寄件者|보낸 사람)';
const FROM_HEADER_LINE = new RegExp(`^\\*?${FROM_NAMES}\\s?\\*?\\s?[:：]\\*?\\s`, 'iu');
/** Several quoted header fields run together on one line ("From: X Sent: Y To: Z Subject: W"), as some clients and Notes lay them out. */
const HEADER_FIELD = new RegExp(`(?:^|\\s)\\*?${HEADER_NAMES}\\s?\\*?\\s?[:：]`, 'giu');
const ONE_LINE_HEADERS_MIN = 3;

/** Lotus Notes: "----- Forwarded by Name/Org on 05/07/2013 10:11 AM -----" and "----- Message from "Name" <a@b> on Tue, … -----". */
const NOTES_SEPARATOR =
  /^-{2,}\s*(?:forwarded by|weitergeleitet von|réacheminé par|transféré par|remitido por|reenviado por|inoltrato da|doorgestuurd door|encaminhado por|vidarebefordrat av|videresendt af|przekazane przez|přeposlal|message from|nachricht von|message de|mensaje de|messaggio da|bericht van|mensagem de)\s.{1,300}?-{2,}\s*$/iu;
/** Lotus Notes 8.5+: "Name---05/07/2013 10:11:42 AM---First words of the quoted mail", with the icon's alt text "Inactive hide details for …" in front. */
const NOTES_ATTRIBUTION = /^(?:inactive hide details for\s.{0,300}|.{1,200}?-{3}\s?\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\s?(?:\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s?(?:[ap]\.?m\.?)?)?\s?-{3}.{0,300})$/iu;

/** Mobile-client signatures ("Sent from my iPhone") in several languages; the whole (short) line must match. */
const MOBILE_SIGNATURES: RegExp[] = [
  /^sent (?:from|via|with|by|using) \S/iu,
  /^(?:envoyé|envoye) (?:de|depuis|avec|à partir) /iu,
  /^enviado (?:desde|de|do|con|com|via|pelo) /iu,
  /^inviato (?:da|dal|con) /iu,
  /^(?:verzonden|verstuurd) (?:met|vanaf|van|via) /iu,
  /^(?:sendt|skickat|skickades) (?:fra|från|med) /iu,
  /^(?:lähetetty|wysłane|wysłano|odesláno|отправлено|надіслано) (?:\S{1,3} )?\S/iu,
  /^(?:von|mit) meine[mn]? .{1,60}(?:gesendet|verschickt)\.?$/iu,
  /^gesendet (?:von|mit|vom) /iu,
  /^diese nachricht wurde (?:von|mit) .{1,80}gesendet\.?$/iu,
  /^get (?:\[)?outlook for /iu,
  /^from my (?:iphone|ipad|android|mobile|phone|smartphone|samsung|blackberry|galaxy)/iu,
  /\bfrom (?:a |my )?(?:mobile|phone)(?: device)?\.?$/iu,
  /^[从從]我的.{0,40}(?:发送|傳送)$/u,
  /^(?:my )?iphone\s?から送信$/iu,
];

/** Strip leading quote markers and emphasis, e.g. `> > *On …*`. */
export function unquote(line: string): string {
  return line.replace(/^[\s>]*/u, '').replace(/^[*_]+|[*_]+$/gu, '').trim();
}

export function isEmptyLine(line: string): boolean {
  return /^[\s>\u200b\u200c\ufeff]*$/u.test(line);
}

/** `> text`, also Supercite-style `AB> text`. */
export function isQuoteLine(line: string): boolean {
  return /^\s*\p{L}{0,3}>/u.test(line);
}

/** A line made only of separator characters (`--`, `____`, `=====`…), or Gmail's lone tracking mark. */
export function isDelimiterLine(line: string): boolean {
  const t = line.trim();
  return t === '\u1427' || /^[-_=*#~+\u2013\u2014]{2,}$/u.test(t);
}

/** A separator line naming the original (quoted or forwarded) message: "-----Original Message-----", Notes' "----- Message from … -----". */
export function isOriginalMessageMarker(line: string): boolean {
  const u = unquote(line);
  return ORIGINAL_MESSAGE.test(u) || NOTES_SEPARATOR.test(u) || FORWARD_INTRO.test(u.replace(/^-{2,}\s*/u, ''));
}

/** "From: X Sent: Y To: Z Subject: W" on one line: at least three quoted header fields, the first a From field. */
function isOneLineHeaderBlock(t: string): boolean {
  if (t.length > 1000 || !FROM_HEADER_LINE.test(t)) return false;
  let count = 0;
  for (const _ of t.matchAll(HEADER_FIELD)) if (++count >= ONE_LINE_HEADERS_MIN) return true;
  return false;
}

export function isAttributionLine(line: string): boolean {
  const t = unquote(line).replace(/^-{2,}\s*/u, '');
  if (t.length < 6) return false;
  if (isOriginalMessageMarker(line) || NOTES_ATTRIBUTION.test(unquote(line))) return true;
  if (isOneLineHeaderBlock(unquote(line))) return true;
  const hasMarker = /\d|@/u.test(t);
  if (hasMarker && (ATTRIBUTION_VERB.test(t) || ATTRIBUTION_NO_COLON.test(t))) return true;
  if (t.length <= 300 && ATTRIBUTION_DATE_ADDRESS.test(t)) return true;
  if (ATTRIBUTION_DASHED.test(unquote(line))) return true;
  return ATTRIBUTION_ISO_DATE.test(t);
}

/** Whether a line opens like an attribution ("On …", "Le …", "Am …") or stops mid-address ("… <"). */
export function opensAttribution(line: string): boolean {
  return startsLikeAttribution(line) || /<\s*$/u.test(line);
}

export function startsLikeAttribution(line: string): boolean {
  const t = unquote(line).replace(/^-{2,}\s*/u, '');
  return /^(?:on|le|am|el|em|il|op|den|w dniu|dne|в|у)\s/iu.test(t);
}

const WROTE_WORD = new RegExp(`(?<![\\p{L}])${WROTE}(?![\\p{L}])`, 'iu');

/** Whether a line could open a wrapped attribution ("On Thu, … <" + "x@y> wrote:", "X <x@y> schrieb am Fr., 28." + "Apr. …:"). */
export function mayStartAttribution(line: string): boolean {
  return opensAttribution(line) || (/\d|@/u.test(line) && WROTE_WORD.test(line));
}

/** Quoted-header lines count only when not themselves inside a `>` quote. */
export function isHeaderLine(line: string): boolean {
  return HEADER_LINE.test(line.trim());
}

export function isFromHeaderLine(line: string): boolean {
  return FROM_HEADER_LINE.test(line.trim());
}

export function isMobileSignature(line: string): boolean {
  const t = line.trim().replace(/^[(<[\s]+|[)>\]\s.]+$/gu, '');
  if (t.length === 0 || t.length > 120) return false;
  return MOBILE_SIGNATURES.some((re) => re.test(t));
}
