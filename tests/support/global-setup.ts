// Resolves the real services integration and e2e tests talk to, once per run, in this order:
//   1. explicit environment: KAFKA_BROKERS, INFLUX_URL, PROMETHEUS_URL (+ MLFLOW_TRACKING_URI);
//   2. testcontainers, when a Docker engine answers;
//   3. deploy/local services (started here if they are not running, stopped at teardown if
//      this setup started them).
// When none can be had, the run fails with a message saying how to get one: never a skip.
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { resolveServices, type ResolvedServices } from "./resolve-services.ts";

declare module "vitest" {
  export interface ProvidedContext {
    services: ResolvedServices["endpoints"];
  }
}

let resolved: ResolvedServices | undefined;

export async function setup(project: TestProject): Promise<void> {
  resolved = await resolveServices();
  process.stdout.write(`[edgeflow tests] services from ${resolved.source}: ${JSON.stringify(resolved.endpoints)}\n`);
  project.provide("services", resolved.endpoints);
}

export async function teardown(): Promise<void> {
  await resolved?.stop();
}
