/**
 * The address change over several turns: the parts are gathered from the customer's answers (each read knowing which
 * parts were asked for), the full address is confirmed with a yes, and only then is update_address requested.
 */
import { missing, said, tool, type Ctx, type Step } from './actions.js';
import { complete, formatAddress, missingFields, type AddressField, type PartialAddress } from './address.js';
import { FIELD_LABEL, pendingOf } from './pending.js';
import type { Turn } from './reading.js';
import { ADDRESS_NEED, CANCELLED, CONFIRM_ADDRESS, listing } from './texts.js';

const isAddressPrompt = (reply: string) => { const k = pendingOf(reply)?.kind; return k === 'address_more' || k === 'address_confirm'; };

/** What to say about an address so far: confirm it when complete, else ask for what is missing. */
export function addressPrompt(a: PartialAddress): string {
  const full = complete(a);
  if (full) {
    return `I can request a change of your address to: ${formatAddress(full)}. It takes effect only after you confirm it yourself (with a one-time link, or the confirm command in the terminal chat): I'll tell you how once it is requested. ${CONFIRM_ADDRESS}`;
  }
  const have = formatAddress(a);
  const lead = have ? `So far I have: ${have}.` : 'Sure, I can request a change of your postal address (you then confirm it yourself).';
  return `${lead} I still need the ${listing(missingFields(a).map((f) => FIELD_LABEL[f]))} ${ADDRESS_NEED} For example: "12 High Street, London SW1A 1AA, United Kingdom".`;
}

/** The address gathered over `turns` (the last is the newest answer): back to the request that started the prompts. */
export function addressDraft(turns: readonly Turn[], ctx: Ctx): PartialAddress {
  let start = turns.length - 1;
  while (start > 0 && isAddressPrompt(turns[start - 1]!.reply)) start--;
  let draft: PartialAddress = {};
  for (let j = start; j < turns.length; j++) {
    const asked = j > start ? pendingOf(turns[j - 1]!.reply) : undefined;
    const expect: AddressField[] = asked?.kind === 'address_more' ? asked.missing : [];
    const part = ctx.address.partial(turns[j]!.text, expect);
    draft = complete(part) ? part : { ...draft, ...part };
  }
  return draft;
}

export function addressSteps(text: string, ctx: Ctx): Step[] {
  if (!ctx.tools.has('update_address')) return [missing(ctx.tools)];
  return [said(addressPrompt(ctx.address.partial(text)))];
}

/**
 * The answer to an address question: a yes to the confirmation requests the change; more parts are merged in.
 * Undefined when the message is something else (then read as a new request).
 */
export async function addressFollowUp(turns: readonly Turn[], confirming: boolean, ctx: Ctx): Promise<Step[] | undefined> {
  const current = turns[turns.length - 1]!;
  const answer = await ctx.nlu.answer(current.text);
  if (answer === 'no') return [said(CANCELLED)];
  const draft = addressDraft(turns, ctx);
  if (confirming && answer === 'yes') {
    const full = complete(draft);
    if (!full) return [said(addressPrompt(draft))];
    return ctx.tools.has('update_address') ? [tool('update_address', { ...full })] : [missing(ctx.tools)];
  }
  const prev = pendingOf(turns[turns.length - 2]!.reply);
  const added = ctx.address.partial(current.text, prev?.kind === 'address_more' ? prev.missing : []);
  if (!Object.keys(added).length) {
    if (answer === 'yes' && !confirming) return [said(addressPrompt(draft))];
    return undefined;
  }
  const reading = await ctx.nlu.read(current.text);
  if (reading.requests.some((r) => !['address', 'other', 'greeting', 'thanks', 'confirm', 'decline'].includes(r.intent) && r.score >= 0.8)) return undefined;
  return [said(addressPrompt(draft))];
}
