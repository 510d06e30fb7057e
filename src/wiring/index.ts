export { createObservability } from './observability.js';
export { startChannels, type ChannelSet, type ChannelWiringDeps } from './channels.js';
export { createApprovalSweep, type ApprovalSweepDeps } from './approval-sweep.js';
export { createDirectory } from './directory.js';
export { createStaffCheck } from './staff.js';
export { chooseModel } from './model.js';
export { terminalRuns, wireTerminal, type TerminalMode, type TerminalWiringDeps } from './terminal.js';
export { createToolConnector } from './tools.js';
export { heapHeadroom, HEAP_PER_STORE_BYTE, type HeapHeadroom } from './heap-headroom.js';
