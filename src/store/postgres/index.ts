/** The PostgreSQL engine: repositories on a server database, its migrations and their runner. */
export { createPostgresRepositories, type PostgresRepositoriesOptions } from './engine.js';
export { MIGRATION_LOCK_KEY, MIGRATIONS_DIR, MIGRATIONS_TABLE, runMigrations, type MigrationResult, type RunMigrationsOptions } from './migrate.js';
