// Feature definitions: pure functions over an event and per-key state.
export * from "./bike-features.ts";
export * from "./paris-time.ts";
export * from "./french-holidays.ts";
export * from "./bike-feature-processor.ts";
