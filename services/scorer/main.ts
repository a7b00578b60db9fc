// The stream worker: runs the bike feature processor, the scorer and the outcome joiner on
// Kafka (each its own consumer group), serves /metrics, stops cleanly on SIGTERM.
import { runService } from "../shared/index.ts";
import { scorerConfig } from "./config.ts";
import { startStreamWorker } from "./worker.ts";

runService({
  component: "scorer",
  config: () => scorerConfig(),
  start: (config) => startStreamWorker(config),
  started: (worker, config, log) => log.info("stream worker running", { processors: config.EDGEFLOW_PROCESSORS, model: worker.modelLabel() }),
  failed: "stream worker failed",
});
