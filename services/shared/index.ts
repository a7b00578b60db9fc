// What every service process shares: the runner that wires config, start and graceful stop,
// and the /metrics endpoint.
export { runService, type ServiceDefinition, type StoppableService } from "./run-service.ts";
export { serveMetrics } from "./metrics-server.ts";
