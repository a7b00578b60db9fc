// A real Prometheus scrapes a prom-client /metrics endpoint that this test serves on
// 127.0.0.1, found through the file_sd targets folder deploy/local configures.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const services = inject("services");
const id = randomUUID().slice(0, 8);
const registry = new Registry();
const counter = new Counter({
  name: "edgeflow_it_scrapes_total",
  help: "Integration test counter",
  labelNames: ["run"],
  registers: [registry],
});
let server: Server;
let targetFile: string;

beforeAll(async () => {
  if (!services.prometheusTargetsDir) {
    throw new Error("the Prometheus in use has no file_sd targets folder (PROMETHEUS_TARGETS_DIR); start it with `npm run services:up`");
  }
  counter.inc({ run: id }, 7);
  server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    void registry.metrics().then((body) => res.writeHead(200, { "content-type": registry.contentType }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  targetFile = join(services.prometheusTargetsDir, `it-${id}.json`);
  await writeFile(targetFile, JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { instance_id: id } }]));
});

afterAll(async () => {
  await rm(targetFile, { force: true });
  await new Promise((resolve) => server.close(resolve));
});

async function query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${services.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  expect(body.status).toBe("success");
  return body.data.result;
}

describe("Prometheus", () => {
  it("scrapes a target dropped into its file_sd folder and stores its samples", async () => {
    const deadline = Date.now() + 60_000;
    let result: Awaited<ReturnType<typeof query>> = [];
    while (Date.now() < deadline) {
      result = await query(`edgeflow_it_scrapes_total{run="${id}"}`);
      if (result.length > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(result).toHaveLength(1);
    expect(Number(result[0]!.value[1])).toBe(7);
    expect(result[0]!.metric.instance_id).toBe(id);
    const up = await query(`up{instance_id="${id}"}`);
    expect(up.map((r) => r.value[1])).toEqual(["1"]);
  });
});
