/**
 * A Slack `message` / `app_mention` event as we read it. Fields we rely on (who, where, when) must have Slack's
 * shapes or the event is not ours; descriptive extras (attachments, blocks, files, client_msg_id) are kept as they
 * came and read defensively. Dedupe keys are only taken from ids that look like ids.
 */
import { z } from 'zod';

const CONVERSATION_ID = /^[A-Z0-9][A-Z0-9_-]{0,63}$/i;
const USER_ID = /^[A-Z0-9][A-Z0-9_-]{0,63}$/i;
/** Slack message timestamps: seconds, a dot, a sequence number. */
export const SLACK_TS = /^\d{1,12}\.\d{1,9}$/;

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

export const messageEventSchema = z.looseObject({
  type: z.string(),
  subtype: opt(z.string().max(100)),
  user: opt(z.string().regex(USER_ID)),
  team: opt(z.string().max(64)),
  user_team: opt(z.string().max(64)),
  source_team: opt(z.string().max(64)),
  channel: opt(z.string().regex(CONVERSATION_ID)),
  channel_type: opt(z.string().max(40)),
  text: opt(z.string()),
  ts: opt(z.string().regex(SLACK_TS)),
  thread_ts: opt(z.string().regex(SLACK_TS)),
  parent_user_id: opt(z.string().max(64)),
  // any value marks a robot: judged by presence, never by shape
  bot_id: z.unknown().optional(),
  app_id: z.unknown().optional(),
  bot_profile: z.unknown().optional(),
  client_msg_id: z.unknown().optional(),
  attachments: z.unknown().optional(),
  blocks: z.unknown().optional(),
  files: z.unknown().optional(),
});

export type SlackMessageEvent = z.infer<typeof messageEventSchema>;

/** The event, or undefined when a field we rely on has the wrong shape. */
export function parseMessageEvent(event: unknown): SlackMessageEvent | undefined {
  const r = messageEventSchema.safeParse(event);
  return r.success ? r.data : undefined;
}

/** An id usable as a key: a string of 1–128 visible ASCII characters (no spaces, no control characters). */
export function soundId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x21-\x7e]{1,128}$/.test(value) ? value : undefined;
}

/**
 * The message's ledger id, stable across redeliveries and shared by the `message` and `app_mention` events of one
 * message: Slack's `client_msg_id` when it is a sound id, else `channel:ts` (also stable). Never empty, never huge.
 */
export function messageKey(e: SlackMessageEvent & { channel: string; ts: string }): string {
  return soundId(e.client_msg_id) ?? `${e.channel}:${e.ts}`;
}
