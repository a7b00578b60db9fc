// bench/http's open-model load generator measured against servers whose answers we control:
// it sends the requests the rate asks for, counts statuses and broken connections apart,
// reads length-delimited and chunked answers, and — what makes it open-model — a request
// that waits for a busy server counts its wait, where a closed-model tool would not.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadgenBin } from "../../../bench/http/loadgen.ts";

interface Report {
  requests: number;
  statusCodes: Record<string, number>;
  errors: number;
  latencyMicros: Record<"min" | "p50" | "p99" | "max", number>;
  generatorCpuMicrosPerRequest: number;
  gcCyclesDuringRun: number;
}

let bin: string;
let server: Server;
let base: string;
const seen: Array<{ url: string; body: string; key: string | undefined }> = [];
let count = 0;
let connections = 0;

beforeAll(async () => {
  const built = loadgenBin();
  expect(built, "go build of bench/http/loadgen failed (is Go installed?)").not.toBeNull();
  bin = built!;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const n = count++;
      seen.push({ url: req.url!, body, key: req.headers["x-api-key"] as string | undefined });
      if (req.url === "/slow") return void setTimeout(() => res.end("ok"), 30);
      if (req.url === "/chunked") {
        res.statusCode = n % 2 === 0 ? 200 : 503;
        res.write("part one, ");
        return void setImmediate(() => res.end("part two"));
      }
      if (req.url === "/broken" && n % 4 === 0) return void req.socket.destroy();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ n }));
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", () => ready()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

/** Runs the generator as a child process (asynchronously: the server under test is in this one). */
async function run(path: string, args: string[]): Promise<Report> {
  const { code, out, err } = await exec(path, args);
  expect(code, err).toBe(0);
  return JSON.parse(out) as Report;
}

async function exec(path: string, args: string[], target = base): Promise<{ code: number | null; out: string; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), "ef-loadgen-test-"));
  writeFileSync(join(dir, "body.json"), '{"hello":"world"}');
  const child = spawn(bin, ["-url", `${target}${path}`, "-body", join(dir, "body.json"), "-header", "x-api-key: secret", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  return { code, out, err };
}

describe("edgeflow-loadgen", () => {
  it("sends rate × duration requests with the body and headers given, and counts their statuses", async () => {
    count = 0;
    seen.length = 0;
    const r = await run("/ok", ["-rate", "200", "-duration", "1s", "-connections", "8"]);
    expect(r.requests).toBe(200);
    expect(r.statusCodes).toEqual({ "200": 200 });
    expect(r.errors).toBe(0);
    expect(seen).toHaveLength(200);
    expect(new Set(seen.map((s) => `${s.url} ${s.body} ${s.key}`))).toEqual(new Set(['/ok {"hello":"world"} secret']));
    expect(r.latencyMicros.min).toBeGreaterThan(0);
    expect(r.latencyMicros.p50).toBeLessThan(50_000);
    expect(r.generatorCpuMicrosPerRequest).toBeGreaterThan(0);
  });

  it("counts the wait of requests due while the server is busy (open model)", async () => {
    // One connection, 30 ms per answer: 33 answers a second for 100 due a second. The last
    // request is due at 1 s and answered near 3 s; a closed-model tool would report ≈ 30 ms.
    const r = await run("/slow", ["-rate", "100", "-duration", "1s", "-connections", "1"]);
    expect(r.statusCodes).toEqual({ "200": 100 });
    expect(r.latencyMicros.min).toBeGreaterThanOrEqual(30_000);
    expect(r.latencyMicros.p99).toBeGreaterThan(1_500_000);
    expect(r.latencyMicros.max).toBeLessThan(6_000_000);
  }, 30_000);

  it("reads chunked answers and keeps each status", async () => {
    count = 0;
    const r = await run("/chunked", ["-rate", "100", "-duration", "1s", "-connections", "4"]);
    expect(r.errors).toBe(0);
    expect(r.statusCodes).toEqual({ "200": 50, "503": 50 });
  });

  it("counts broken connections as errors, not statuses, and reconnects", async () => {
    count = 0;
    const r = await run("/broken", ["-rate", "100", "-duration", "1s", "-connections", "4"]);
    expect(r.errors).toBe(25);
    expect(r.statusCodes).toEqual({ "200": 75 });
  });

  it("opens every connection before the clock starts, and runs without garbage collection", async () => {
    connections = 0;
    const r = await run("/ok", ["-rate", "10", "-duration", "200ms", "-connections", "8"]);
    // Two requests, but all eight connections: set-up is not inside any request's latency.
    expect(r.requests).toBe(2);
    expect(connections).toBe(8);
    expect(r.gcCyclesDuringRun).toBe(0);
  });

  it("writes each request's latency in release order with -latencies, the slow ones where they were due", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ef-loadgen-lat-"));
    const file = join(dir, "latencies.txt");
    // One connection, 30 ms per answer: each request waits longer than the one before it.
    const r = await run("/slow", ["-rate", "50", "-duration", "400ms", "-connections", "1", "-latencies", file]);
    const lat = readFileSync(file, "utf8").trim().split("\n").map(Number);
    expect(lat).toHaveLength(r.requests);
    expect(Math.max(...lat)).toBe(r.latencyMicros.max);
    expect(Math.min(...lat)).toBe(r.latencyMicros.min);
    expect(lat[lat.length - 1]!).toBeGreaterThan(lat[0]! + 50_000);
  }, 30_000);

  it("measures the floor responder, and the floor with BURN_US spins that long per request", async () => {
    const port = await new Promise<number>((done) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => done(p));
      });
    });
    const floor = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../../../bench/http/floor-server.ts"), String(port), "3000"], { stdio: "ignore" });
    try {
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await fetch(`http://127.0.0.1:${port}/`).then((res) => res.ok, () => false);
        if (!up) await new Promise((res) => setTimeout(res, 100));
      }
      expect(up).toBe(true);
      const r = (await exec("/", ["-rate", "50", "-duration", "400ms", "-connections", "2"], `http://127.0.0.1:${port}`)).out;
      const report = JSON.parse(r) as Report;
      expect(report.statusCodes).toEqual({ "200": 20 });
      expect(report.latencyMicros.min).toBeGreaterThanOrEqual(3_000);
    } finally {
      floor.kill("SIGTERM");
    }
  }, 30_000);

  it("fails with a clear message when it cannot connect", async () => {
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, "127.0.0.1", () => ready()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const { code, err } = await exec("/ok", ["-rate", "10", "-duration", "1s"], `http://127.0.0.1:${port}`);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot open connection 1 of 64 to 127\.0\.0\.1:\d+/);
  });
});
