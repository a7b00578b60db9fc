// What every service process shares: the runner that wires config, start and graceful stop.
export { runService, type ServiceDefinition, type StoppableService } from "./run-service.ts";
