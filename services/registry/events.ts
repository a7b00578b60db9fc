// Where the registry announces its changes. `ModelEventPublisher` is the seam: the Kafka
// implementation (kafka-events.ts) for deployments, the in-process one for the embedded
// runtime, where scorers in the same process subscribe directly.
import type { ModelEvent } from "../../schemas/index.ts";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";

export interface ModelEventPublisher {
  /** Resolves once the event is durably handed over (acknowledged by Kafka, delivered in process). */
  publish(event: ModelEvent): Promise<void>;
  close(): Promise<void>;
}

export type ModelEventListener = (event: ModelEvent) => void | Promise<void>;

/**
 * Delivers each event to the listeners subscribed in this process, in order. A listener
 * that throws is logged and does not stop the others: the registry change already happened.
 */
export class InProcessModelEventPublisher implements ModelEventPublisher {
  private readonly listeners = new Set<ModelEventListener>();
  private readonly log: Logger;

  constructor(logger: Logger = createLogger("registry-events")) {
    this.log = logger;
  }

  subscribe(listener: ModelEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async publish(event: ModelEvent): Promise<void> {
    for (const listener of [...this.listeners]) {
      try {
        await listener(event);
      } catch (error) {
        this.log.error("model event listener failed", { eventId: event.eventId, type: event.type, model: event.model, error });
      }
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
