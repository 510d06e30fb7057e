export { loadConfig, type Config } from './config.js';
export { envSchema, parseEnv, type Env } from './env.js';
export { createLogger, silentLogger, REDACT_PATHS, type Logger } from './logger.js';
export { createMetrics, type Metrics } from './metrics.js';
