/**
 * `npm run chat`: the terminal chat, always (even when Slack or email are configured). An entry point like
 * src/main.ts, so it may use the composition root. Works under a pipe: `printf 'user cus_001\nbalance?\n' | npm run chat`.
 */
import { launch } from '../../launch.js';

await launch('always');
