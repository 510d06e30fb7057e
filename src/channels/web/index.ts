export { createApiKeys, type ApiKeys, type CreatedApiKey } from './api-keys.js';
export { createWebTokens, type WebTokens, TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens.js';
export { createWebAuth, CUSTOMER_HEADER, type WebAuth, type WebPrincipal } from './auth.js';
export { createWebApi, type WebApiDeps } from './api.js';
export { createWebChannel, type WebChannel, type WebChannelDeps } from './channel.js';
export { historyOf, newCustomerThread, type HistoryEntry } from './threads.js';
