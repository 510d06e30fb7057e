/** Moving data between engines: a JSON store into PostgreSQL (`db:import`) and back out (`db:export`). */
export { type ExportOptions, type ExportResult, exportFromPostgres } from './export.js';
export { type ImportOptions, type ImportResult, importIntoPostgres } from './import.js';
export type { TableCount } from './load.js';
export { NOT_COPIED, copiedTables } from './plan.js';
