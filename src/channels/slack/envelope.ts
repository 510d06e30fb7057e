/**
 * The shape check every inbound Slack request passes (HTTP and Socket Mode) before Bolt sees it. Bolt dereferences
 * many fields without checking them (`body.event.channel.creator`, `body.user.id`, `actions[0].action_id`…), so a
 * correctly signed but odd body would throw inside its receiver and end the process. Here each body is sorted by
 * its class, as Slack defines them: what we handle goes on to Bolt only when every field Bolt and our handlers read
 * has the type they expect; what we do not handle is acknowledged; what is malformed is refused.
 */
import { z } from 'zod';

export type Envelope =
  /** Hand to Bolt. `family` says how it is acknowledged (events only once the listeners finished). */
  | { kind: 'dispatch'; family: 'event' | 'interactive' | 'command'; body: Record<string, unknown> }
  | { kind: 'url_verification'; challenge: string }
  /** Acknowledge and do nothing (`reason` is logged and counted). */
  | { kind: 'ack'; reason: 'app_rate_limited' | 'unhandled_event' | 'unhandled_type'; type: string }
  /** Malformed: refuse (HTTP 400 without retries; Socket Mode: acknowledge so it is not redelivered). */
  | { kind: 'reject'; reason: string };

/** Events our listeners take (channel.ts, home.ts). Every other event type is acknowledged and dropped. */
const HANDLED_EVENTS = new Set(['message', 'app_mention', 'app_home_opened']);

const id = z.string().min(1).max(255);
const shortText = z.string().max(4000);
const record = z.looseObject({});
const typeName = z.string().min(1).max(100).regex(/^[a-z][a-z0-9_.]*$/);

const authorization = z.looseObject({
  team_id: id.nullish(), enterprise_id: id.nullish(), user_id: id.nullish(), is_enterprise_install: z.boolean().optional(), is_bot: z.boolean().optional(),
});

/** The fields Bolt probes on every event (user, channel, item, subteam…), typed so its probes cannot throw. */
const event = z.looseObject({
  type: typeName,
  user: id.optional(),
  channel: id.optional(),
  channel_id: id.optional(),
  team: id.optional(),
  item: record.optional(),
  subteam: record.optional(),
  message: record.optional(),
  previous_message: record.optional(),
  assistant_thread: record.optional(),
});

const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: id.optional(),
  enterprise_id: id.nullish(),
  api_app_id: id.optional(),
  event_id: id.optional(),
  event_time: z.number().optional(),
  is_enterprise_install: z.boolean().optional(),
  authorizations: z.array(authorization).max(100).optional(),
  event,
});

const team = z.looseObject({ id, enterprise_id: id.nullish() }).nullable();
const user = z.looseObject({ id, team_id: id.optional() });
const responseUrls = z.array(z.looseObject({ response_url: z.string().max(2000) })).max(10).optional();
const interactiveBase = {
  team: team.optional(),
  user,
  enterprise: z.looseObject({ id }).nullish(),
  is_enterprise_install: z.boolean().optional(),
  api_app_id: id.optional(),
  response_url: z.string().max(2000).optional(),
  response_urls: responseUrls,
  trigger_id: shortText.optional(),
};

const blockActions = z.looseObject({
  ...interactiveBase,
  type: z.literal('block_actions'),
  actions: z.array(z.looseObject({ type: typeName, action_id: id, block_id: id.optional(), value: shortText.optional() })).min(1).max(25),
  channel: z.looseObject({ id }).optional(),
  container: record.optional(),
  message: z.looseObject({ ts: id.optional(), blocks: z.array(z.unknown()).optional() }).optional(),
  view: record.optional(),
});

const stateValue = z.looseObject({
  type: typeName.optional(),
  value: z.string().max(100_000).nullish(),
  selected_option: z.looseObject({ value: z.string().max(4000) }).nullish(),
});
const viewSubmission = z.looseObject({
  ...interactiveBase,
  type: z.literal('view_submission'),
  view: z.looseObject({
    id: id.optional(),
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000).optional(),
    app_installed_team_id: id.optional(),
    state: z.looseObject({ values: z.record(z.string().max(255), z.record(z.string().max(255), stateValue)) }),
  }),
});

const command = z.looseObject({
  command: z.string().regex(/^\/[^\s/]{1,64}$/),
  text: z.string().max(10_000).optional(),
  team_id: id,
  user_id: id,
  channel_id: id,
  enterprise_id: id.optional(),
  is_enterprise_install: z.enum(['true', 'false']).optional(),
  trigger_id: shortText.optional(),
  response_url: z.string().max(2000).optional(),
  api_app_id: id.optional(),
});

const typed = z.looseObject({ type: typeName });
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(body)'}: ${issue.code}` : 'invalid';
}

/** Sort one parsed body (Events API JSON, an interactivity `payload`, or slash-command fields) by its class. */
export function classifyEnvelope(body: unknown): Envelope {
  if (!isRecord(body)) return { kind: 'reject', reason: `body is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}` };
  if (body['command'] !== undefined) {
    const r = command.safeParse(body);
    return r.success ? { kind: 'dispatch', family: 'command', body: r.data } : { kind: 'reject', reason: `slash command ${problem(r.error)}` };
  }
  const t = typed.safeParse(body);
  if (!t.success) return { kind: 'reject', reason: `type ${problem(t.error)}` };
  const type = t.data.type;
  switch (type) {
    case 'url_verification': {
      const challenge = body['challenge'];
      return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 1000
        ? { kind: 'url_verification', challenge }
        : { kind: 'reject', reason: 'url_verification without a challenge' };
    }
    case 'app_rate_limited':
      return { kind: 'ack', reason: 'app_rate_limited', type };
    case 'event_callback': {
      const inner = z.looseObject({ event: typed }).safeParse(body);
      if (!inner.success) return { kind: 'reject', reason: `event_callback ${problem(inner.error)}` };
      // events we do not subscribe to are not ours to judge: acknowledged before their fields are looked at
      if (!HANDLED_EVENTS.has(inner.data.event.type)) return { kind: 'ack', reason: 'unhandled_event', type: inner.data.event.type };
      const r = eventCallback.safeParse(body);
      return r.success ? { kind: 'dispatch', family: 'event', body: r.data } : { kind: 'reject', reason: `event_callback ${problem(r.error)}` };
    }
    case 'block_actions':
    case 'view_submission': {
      const r = (type === 'block_actions' ? blockActions : viewSubmission).safeParse(body);
      return r.success ? { kind: 'dispatch', family: 'interactive', body: r.data } : { kind: 'reject', reason: `${type} ${problem(r.error)}` };
    }
    default:
      // view_closed, shortcuts, block_suggestion… and types Slack adds later: nothing listens, so say "received"
      return { kind: 'ack', reason: 'unhandled_type', type };
  }
}
