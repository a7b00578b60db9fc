// The stream worker: runs the bike feature processor, the scorer and the outcome joiner on
// Kafka (each its own consumer group), serves /metrics, stops cleanly on SIGTERM.
import { exitOnConfigError } from "../../schemas/index.ts";
import { createLogger } from "../../stream/runtime/index.ts";
import { scorerConfig } from "./config.ts";
import { startStreamWorker } from "./worker.ts";

const log = createLogger("scorer");

async function main(): Promise<void> {
  let config;
  try {
    config = scorerConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  const worker = await startStreamWorker(config);
  log.info("stream worker running", { processors: config.EDGEFLOW_PROCESSORS, model: worker.modelLabel() });
  const shutdown = (signal: string) => {
    log.info("stopping", { signal });
    worker
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error("stop failed", { error });
        process.exit(1);
      });
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  log.error("stream worker failed", { error });
  process.exit(1);
});
