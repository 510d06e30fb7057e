/**
 * Patterns that tell a forwarded mail from reply history (forwarded.ts). Each is applied to one capped line or to
 * the subject and is linear (bounded quantifiers, no nested repetition).
 */

/** Forward prefixes clients put on the subject (the first prefix: "RE: FW: x" is a reply): Fwd/Fw, WG (de), TR (fr), RV (es), ENC (pt), I (it), Doorst (nl), VB (sv), VL (fi), PD (pl), PŘ (cs), TOV (hu), İLT (tr), 转发/轉寄 (zh), 転送 (ja), 전달 (ko), ΠΡΘ (el). */
const FORWARD_SUBJECT =
  /^\s*(?:\[[^\]]{0,60}\]\s*)?(?:fwd?|wg|tr|rv|enc|i|doorst|vb|vl|pd|př|tov|i̇lt|ilt|πρθ|转发|轉寄|転送|전달)\s?(?:\[\d{1,3}\])?\s?[:：]/iu;

/** Explicit forward separators ("---------- Forwarded message ---------", "Begin forwarded message:", Notes' "----- Forwarded by …") in several languages. */
const FORWARD_WORDS =
  '(?:forwarded message|weitergeleitete nachricht|message transféré|message transfere|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|mensagem reencaminhada|vidarebefordrat meddelande|videresendt (?:melding|meddelelse|besked)|välitetty viesti|przekazana wiadomość|wiadomość przekazana|přeposlaná zpráva|пересланное сообщение|пересылаемое сообщение|переслане повідомлення|továbbított üzenet|iletilen (?:ileti|mesaj)|转发的邮件|轉寄的郵件|転送されたメッセージ|전달된 메시지)';
const FORWARD_SEPARATOR = new RegExp(`^[\\s>*_]*-{2,}\\s*${FORWARD_WORDS}\\s*-{2,}[\\s*_]*$`, 'iu');
const FORWARD_INTRO =
  /^[\s>*_]*(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|début du message transféré|inicio del mensaje reenviado|comienzo del mensaje reenviado|inizio messaggio inoltrato|begin doorgestuurd bericht|início da mensagem reencaminhada|início da mensagem encaminhada|vidarebefordrat brev|videresendt meddelelse|välitetty viesti alkaa)\s*[:：]?[\s*_]*$/iu;
const FORWARDED_BY =
  /^[\s>]*-{2,}\s*(?:forwarded by|weitergeleitet von|réacheminé par|transféré par|remitido por|reenviado por|inoltrato da|doorgestuurd door|encaminhado por|vidarebefordrat av|videresendt af|przekazane przez|přeposlal)\s.{1,300}?-{2,}\s*$/iu;

export function isForwardSubject(subject: string): boolean {
  return FORWARD_SUBJECT.test(subject.slice(0, 300));
}

export function isForwardMarker(line: string): boolean {
  if (line.length > 400) return false;
  return FORWARD_SEPARATOR.test(line) || FORWARD_INTRO.test(line) || FORWARDED_BY.test(line);
}

/**
 * A cover note that points the reader at the mail underneath ("FYI", "see the mail below", "siehe unten"):
 * whatever follows it is what the sender wants read.
 */
const POINTER_NOTE =
  /(?:^|[^\p{L}])(?:fyi|fyr|fwiw|see (?:the )?(?:\w+ )?(?:mail|email|e-mail|message|note|thread|text|conversation|details|info) below|see below|please see|please find below|find below|below is|below you|read below|look below|the (?:mail|email|e-mail|message) below|(?:mail|email|e-mail|message) below|i (?:am |'m )?forwarding|forwarding (?:you|this|the)|as below|zur info|zur kenntnis|siehe unten|siehe (?:mail|e-mail|nachricht) unten|unten stehend|untenstehend|voir ci-dessous|ci-dessous|pour info|pour information|para tu información|para su información|ver abajo|véase abajo|vedi sotto|per conoscenza|per info|zie hieronder|ter info|veja abaixo|ver abaixo|para conhecimento|se nedan|se nedenfor|ks\. alla|patrz poniżej|viz níže|см\. ниже|смотри(?:те)? ниже|下記|见下|如下|請參閱|아래)(?![\p{L}])/iu;

export function isPointerNote(note: string): boolean {
  const t = note.trim();
  return t !== '' && t.length <= 600 && POINTER_NOTE.test(t);
}

/** Cheap look at raw HTML for words of a forward separator (decides whether quotes are worth rendering). */
export function mentionsForward(html: string): boolean {
  return /forward|weitergeleitet|transféré|réexpédié|reenviado|inoltrat|doorgestuurd|encaminhad|reencaminhad|vidarebefordrat|videresendt|välitetty|przekazan|přeposlan|пересла|továbbított|iletilen|转发|轉寄|転送|전달/iu.test(html.slice(0, 2_000_000));
}
