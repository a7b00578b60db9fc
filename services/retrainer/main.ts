// The retrainer service: config → triggers (drift topic, schedule) → one run at a time →
// registry + retrain-runs; stops cleanly on SIGTERM (a run in progress is let finish).
import { ConfigError, exitOnConfigError } from "../../schemas/index.ts";
import { createLogger } from "../../stream/runtime/index.ts";
import { retrainerConfig } from "./config.ts";
import { startRetrainer } from "./service.ts";

const log = createLogger("retrainer");

async function main(): Promise<void> {
  let config;
  try {
    config = retrainerConfig();
    if (config.KAFKA_BROKERS.length === 0) {
      throw new ConfigError("invalid configuration:\n  KAFKA_BROKERS=(unset): the retrainer service reads the drift topic; for one run without Kafka use `edgeflow retrain`", ["KAFKA_BROKERS"]);
    }
  } catch (error) {
    exitOnConfigError(error);
  }
  const running = await startRetrainer(config);
  const shutdown = (signal: string) => {
    log.info("stopping; a run in progress finishes first", { signal });
    running
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
  log.error("retrainer failed", { error });
  process.exit(1);
});
