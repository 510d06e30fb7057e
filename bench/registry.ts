/** Every benchmark, in the order `npm run bench` runs them. */
import type { Bench } from './lib.js';
import { concurrencyBench } from './concurrency.js';
import { memoryBench } from './memory.js';
import { slackBench } from './slack.js';
import { emailBench } from './email.js';
import { eventRelayBench } from './event-relay.js';
import { jsonStoreBench } from './json-store.js';
import { toolCallBench } from './tool-call.js';
import { turnOverheadBench } from './turn-overhead.js';
import { webSessionsBench } from './web-sessions.js';

export const BENCHES: readonly Bench[] = [toolCallBench, turnOverheadBench, concurrencyBench, jsonStoreBench, memoryBench, slackBench, emailBench, eventRelayBench, webSessionsBench];
