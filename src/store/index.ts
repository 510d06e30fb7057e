export * from './schema.js';
export type { Repositories } from './repos/index.js';
export { openRepositories, type OpenedStore } from './open.js';
