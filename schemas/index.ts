// The contracts: zod schemas + Avro for every topic, topic names, errors, env parsing.
export * from "./errors.ts";
export * from "./env.ts";
export * from "./topics.ts";
export * from "./serde.ts";
export * from "./bike-count-event.ts";
export { issuesOf } from "./zod-issues.ts";
export * from "./model-card.ts";
export * from "./model-event.ts";
export * from "./feature-spec.ts";
export * from "./feature-vector.ts";
export * from "./drift-event.ts";
export * from "./retrain-run.ts";
export * from "./monitor-observation.ts";
export * from "./duration.ts";
