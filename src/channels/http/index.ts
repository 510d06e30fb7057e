export { startHttpServer, type HttpServer, type HttpServerDeps, type ReadinessCheck } from './server.js';
export { createResetPage, type PasswordResetPort } from './reset-page.js';
export { createRateLimiter, type RateLimiter } from './rate-limit.js';
export { createAddressPage, type AddressConfirmPort } from './address-page.js';
export { createDevMailboxPage, type DevMailboxPort } from './dev-mailbox-page.js';
export type { DevMailView } from './dev-mailbox-html.js';
