// The HTTP scoring API: app factory, wiring, and the pieces tests and tools build on.
export { createApiApp, type ApiApp } from "./app.ts";
export { startApi, type RunningApi } from "./server.ts";
export { apiConfig, type ApiConfig } from "./config.ts";
export { createKeyStore, hashApiKey, newApiKey, parseKeyList, readKeysFile, keyStoreFromConfig, type ApiKey, type ApiKeyEntry, type KeyStore, type Scope } from "./auth.ts";
export { RateLimiter, systemClock, type Clock } from "./rate-limit.ts";
export { ChampionFollower, pinnedModel, type SyncResult } from "./champion.ts";
export { createCounterStateStore, featuresAtLatest, featuresFromHistory, type CounterStateStore } from "./counter-state.ts";
export type { AppDeps, ApiLimits, ServedModel } from "./context.ts";
