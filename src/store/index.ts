export * from './schema.js';
export type { Store } from './types.js';
export { createMemoryStore } from './memory-store.js';
export { openFileStore, type FileStore, type FileStoreOptions, type FileStoreStats } from './file-store.js';
export type { WriteStats } from './write-queue.js';
export { readDurableState } from './load-journaled.js';
