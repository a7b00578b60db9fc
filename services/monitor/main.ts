// The drift and accuracy monitor service: config → Kafka processors (re-key, monitor) →
// InfluxDB + drift topic; stops cleanly on SIGTERM.
import { exitOnConfigError } from "../../schemas/index.ts";
import { createLogger } from "../../stream/runtime/index.ts";
import { monitorConfig } from "./config.ts";
import { startMonitor } from "./monitor.ts";

const log = createLogger("monitor");

async function main(): Promise<void> {
  let config;
  try {
    config = monitorConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  const monitor = await startMonitor(config);
  const shutdown = (signal: string) => {
    log.info("stopping", { signal });
    monitor
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
  log.error("monitor failed", { error });
  process.exit(1);
});
