// Builds a registry and its event publisher from configuration.
import { createRegistryClient } from "../../schemas/index.ts";
import type { Logger } from "../../stream/runtime/index.ts";
import type { RegistryConfig } from "./config.ts";
import { InProcessModelEventPublisher, type ModelEventPublisher } from "./events.ts";
import { createFileStore } from "./file-store.ts";
import { KafkaModelEventPublisher } from "./kafka-events.ts";
import { createMlflowStore } from "./mlflow-store.ts";
import { createModelRegistry } from "./model-registry.ts";
import type { ModelRegistry } from "./registry.ts";

export interface OpenRegistryOptions {
  /** Where events go; default: `openEventPublisher(config)`. Closed with the registry. */
  publisher?: ModelEventPublisher;
  logger?: Logger;
}

export function openRegistry(config: RegistryConfig, options: OpenRegistryOptions = {}): ModelRegistry {
  const store =
    config.backend.kind === "file"
      ? createFileStore({ root: config.backend.root })
      : createMlflowStore({ trackingUri: config.backend.trackingUri, experiment: config.backend.experiment });
  const publisher = options.publisher ?? openEventPublisher(config);
  const registry = createModelRegistry(store, { publisher, logger: options.logger });
  return {
    ...registry,
    async close() {
      await registry.close();
      await publisher.close();
    },
  };
}

/** Kafka when brokers are configured, otherwise in-process delivery (the embedded runtime). */
export function openEventPublisher(config: RegistryConfig): ModelEventPublisher {
  const { kafkaBrokers, schemaRegistryUrl, topicPrefix } = config.events;
  if (kafkaBrokers.length === 0) return new InProcessModelEventPublisher();
  return new KafkaModelEventPublisher({ brokers: kafkaBrokers, registry: createRegistryClient(schemaRegistryUrl), topicPrefix });
}
