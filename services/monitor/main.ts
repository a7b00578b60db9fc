// The drift and accuracy monitor service: config → Kafka processors (re-key, monitor) →
// InfluxDB + drift topic; stops cleanly on SIGTERM.
import { runService } from "../shared/index.ts";
import { monitorConfig } from "./config.ts";
import { startMonitor } from "./monitor.ts";

runService({
  component: "monitor",
  config: () => monitorConfig(),
  start: (config) => startMonitor(config),
  failed: "monitor failed",
});
