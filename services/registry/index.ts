// The model registry: versions of ONNX models with their cards, aliases (champion and its
// history), a promotion gate, and model-events on every change. File and MLflow backends.
// Followers of the champion (API, scorer, monitor) use its ChampionWatch and event subscriber.
export * from "./registry.ts";
export * from "./errors.ts";
export { createModelRegistry, type RegistryOptions } from "./model-registry.ts";
export { createFileStore, type FileStoreOptions } from "./file-store.ts";
export { createMlflowStore, type MlflowStoreOptions } from "./mlflow-store.ts";
export { InProcessModelEventPublisher, type ModelEventListener, type ModelEventPublisher } from "./events.ts";
export { KafkaModelEventPublisher, modelEventsTopic, type KafkaModelEventOptions } from "./kafka-events.ts";
export { KafkaModelEventSubscriber, type KafkaModelEventSubscriberOptions, type ModelEventHint } from "./model-event-subscriber.ts";
export { ChampionWatch, type ChampionSyncResult, type ChampionWatchOptions } from "./champion-watch.ts";
export { decide, holdoutIdOf, DEFAULT_BOUNDS, type GateBounds, type GateInput, type GateVerdict, type HoldoutMetrics } from "./gate.ts";
export { registryConfig, DEFAULT_REGISTRY, type RegistryBackendConfig, type RegistryConfig } from "./config.ts";
export { openRegistry, openEventPublisher, type OpenRegistryOptions } from "./open.ts";
export { modelsCommand, type CliIo } from "./cli.ts";
export { MODEL_FILE, CARD_FILE, REFERENCE_FILE, sha256File } from "./model-folder.ts";
