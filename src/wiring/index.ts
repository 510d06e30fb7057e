export { createObservability } from './observability.js';
export { startChannels, type ChannelSet, type ChannelWiringDeps } from './channels.js';
