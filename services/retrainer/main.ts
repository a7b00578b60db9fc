// The retrainer service: config → triggers (drift topic, schedule) → one run at a time →
// registry + retrain-runs; stops cleanly on SIGTERM (a run in progress is let finish).
import { ConfigError } from "../../schemas/index.ts";
import { runService } from "../shared/index.ts";
import { retrainerConfig } from "./config.ts";
import { startRetrainer } from "./service.ts";

runService({
  component: "retrainer",
  config: () => {
    const config = retrainerConfig();
    if (config.KAFKA_BROKERS.length === 0) {
      throw new ConfigError("invalid configuration:\n  KAFKA_BROKERS=(unset): the retrainer service reads the drift topic; for one run without Kafka use `edgeflow retrain`", ["KAFKA_BROKERS"]);
    }
    return config;
  },
  start: (config) => startRetrainer(config),
  stopping: "stopping; a run in progress finishes first",
  failed: "retrainer failed",
});
