/** `npm start`: every configured channel (Slack, email), or the terminal chat on the demo data when none is. */
import { launch } from './launch.js';

await launch('auto');
