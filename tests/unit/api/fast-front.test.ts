// The fast lane and its HTTP/1.1 front against the plain Hono path, over real ports: every
// request gets the same answer from a server with the front and one without — status, body,
// content type, request id — and only plainly valid scoring requests are answered by the
// lane (its counter says which). Then the front's framing on raw sockets: pipelining, split
// packets, Connection: close, chunked bodies and garbage handed to Node's http server.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { register } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIKE_FEATURE_NAMES, HOUR_MS } from "../../../stream/features/index.ts";
import { ADMIN_KEY, MODEL, PREDICT_KEY, T, harness, history, listen, type Harness, type Listening } from "./fixtures.ts";

let h: Harness;
let fast: Listening;
let plain: Listening;

const N = BIKE_FEATURE_NAMES.length;
const row = (k: number) => BIKE_FEATURE_NAMES.map((_, i) => i + k);

beforeAll(async () => {
  h = await harness({ weights: { lag_1h: 1, hour_of_day: 0.5 }, limits: { bodyLimitBytes: 64 * 1024, ratePerSecond: 1_000_000, burst: 1_000_000 } });
  fast = await listen(h.deps);
  plain = await listen(h.deps, { fastLane: false });
  // Counter state both servers read (one store): c1 and c2 held at hour T, c3 at T - 1 h.
  const events = [
    ...history(T, 200).map((e) => ({ counterId: "c1", ...e })),
    ...history(T, 200).map((e) => ({ counterId: "c2", ...e, count: e.count + 5 })),
    ...history(T - HOUR_MS, 200).map((e) => ({ counterId: "c3", ...e })),
  ];
  const fed = await fetch(`${plain.base}/v1/events`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": PREDICT_KEY }, body: JSON.stringify({ events }) });
  expect(fed.status).toBe(200);
});
afterAll(async () => {
  await fast?.close();
  await plain?.close();
  await h?.close();
});

async function laneCount(result: "served" | "fallback"): Promise<number> {
  const metric = await register.getSingleMetric("edgeflow_api_fast_lane_total")?.get();
  return (metric?.values ?? []).filter((v) => v.labels.result === result).reduce((sum, v) => sum + v.value, 0);
}

interface Case {
  name: string;
  path?: string;
  body: unknown;
  key?: string | null;
  headers?: Record<string, string>;
  /** Answered by the lane (true), handed to Hono by the lane (false), or never offered to it (null). */
  lane: boolean | null;
}

const infer = (data: unknown, shape: number[], extra: Record<string, unknown> = {}, input: Record<string, unknown> = {}) => ({ inputs: [{ name: "input", shape, datatype: "FP32", data, ...input }], ...extra });
const INFER = `/v2/models/${MODEL}/infer`;

const CASES: Case[] = [
  { name: "OIP one flat row", body: infer(row(1), [1, N]), lane: true },
  { name: "OIP two nested rows with an id", body: infer([row(1), row(2)], [2, N], { id: "my-request" }), lane: true },
  { name: "OIP one row as shape [nFeatures]", body: infer(row(3), [N]), lane: true },
  { name: "OIP INT32 data", body: infer(row(4), [1, N], {}, { datatype: "INT32" }), lane: true },
  { name: "OIP KServe's iris example (4 features)", body: { inputs: [{ name: "input-0", shape: [2, 4], datatype: "FP32", data: [6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6] }] }, lane: false },
  { name: "OIP unknown top-level field", body: infer(row(1), [1, N], { priority: 1 }), lane: false },
  { name: "OIP unknown input field", body: infer(row(1), [1, N], {}, { extra: true }), lane: false },
  { name: "OIP a string element", body: infer([...row(1).slice(1), "7"], [1, N]), lane: false },
  { name: "OIP a boolean in FP32 data", body: infer([...row(1).slice(1), true], [1, N]), lane: false },
  { name: "OIP too few elements", body: infer(row(1).slice(1), [1, N]), lane: false },
  { name: "OIP shape that does not fit", body: infer(row(1), [N, 1]), lane: false },
  { name: "OIP BYTES datatype", body: infer(row(1), [1, N], {}, { datatype: "BYTES" }), lane: false },
  { name: "OIP two inputs", body: { inputs: [infer(row(1), [1, N]).inputs[0], infer(row(2), [1, N]).inputs[0]] }, lane: false },
  { name: "OIP outputs named", body: infer(row(1), [1, N], { outputs: [{ name: "variable" }] }), lane: false },
  { name: "OIP parameters", body: infer(row(1), [1, N], { parameters: { content_type: "np" } }), lane: false },
  { name: "OIP id not a string", body: infer(row(1), [1, N], { id: 7 }), lane: false },
  { name: "OIP malformed JSON", body: '{"inputs": [', lane: false },
  { name: "OIP JSON that is not an object", body: "[1, 2]", lane: false },
  { name: "OIP another model's name", path: "/v2/models/other/infer", body: infer(row(1), [1, N]), lane: null },
  { name: "OIP %-encoded model name", path: `/v2/models/${encodeURIComponent(MODEL).replace("-", "%2D")}/infer`, body: infer(row(1), [1, N]), lane: null },
  { name: "OIP with a query string", path: `${INFER}?x=1`, body: infer(row(1), [1, N]), lane: null },
  { name: "OIP without a key", body: infer(row(1), [1, N]), key: null, lane: null },
  { name: "OIP with an unknown key", body: infer(row(1), [1, N]), key: "not-a-key-at-all-0123456789", lane: null },
  { name: "OIP with an admin-only key", body: infer(row(1), [1, N]), key: ADMIN_KEY, lane: null },
  { name: "OIP as text/plain", body: infer(row(1), [1, N]), headers: { "content-type": "text/plain" }, lane: null },
  { name: "OIP as application/json; charset=utf-8", body: infer(row(1), [1, N]), headers: { "content-type": "application/json; charset=utf-8" }, lane: true },
  { name: "OIP over the body limit", body: infer(Array.from({ length: 20_000 }, () => 1.5), [1, 20_000]), lane: null },
  { name: "OIP with a usable request id", body: infer(row(1), [1, N]), headers: { "x-request-id": "req-123_abc=" }, lane: true },
  { name: "OIP with an unusable request id", body: infer(row(1), [1, N]), headers: { "x-request-id": "bad id!" }, lane: true },
  { name: "predict held record, epoch ms", path: "/v1/predict", body: { counterId: "c1", timestamp: T }, lane: true },
  { name: "predict held record, ISO time with offset", path: "/v1/predict", body: { counterId: "c2", timestamp: "2021-03-01T09:30:00+01:00" }, lane: true },
  { name: "predict batch of held records", path: "/v1/predict", body: { records: [{ counterId: "c1", timestamp: T }, { counterId: "c2", timestamp: T + 60_000 }] }, lane: true },
  { name: "predict unknown counter", path: "/v1/predict", body: { counterId: "nobody", timestamp: T }, lane: false },
  { name: "predict an hour the state does not hold", path: "/v1/predict", body: { counterId: "c3", timestamp: T }, lane: false },
  { name: "predict a batch with one bad record", path: "/v1/predict", body: { records: [{ counterId: "c1", timestamp: T }, { counterId: "c3", timestamp: T }] }, lane: false },
  { name: "predict with history", path: "/v1/predict", body: { counterId: "h", timestamp: T, history: history(T, 180) }, lane: false },
  { name: "predict unknown field", path: "/v1/predict", body: { counterId: "c1", timestamp: T, extra: 1 }, lane: false },
  { name: "predict timestamp out of range", path: "/v1/predict", body: { counterId: "c1", timestamp: 1 }, lane: false },
  { name: "predict timestamp without offset", path: "/v1/predict", body: { counterId: "c1", timestamp: "2021-03-01T08:00:00" }, lane: false },
  { name: "predict empty counter id", path: "/v1/predict", body: { counterId: "", timestamp: T }, lane: false },
  { name: "predict empty batch", path: "/v1/predict", body: { records: [] }, lane: false },
];

/** POST on a connection of its own (a connection the front hands to Node stays with Node). */
function postOnce(base: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: "POST", agent: false, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The response with what differs between two honest answers masked (fresh ids, timings). */
async function answer(base: string, c: Case) {
  const res = await postOnce(base, c.path ?? INFER, typeof c.body === "string" ? c.body : JSON.stringify(c.body), {
    "content-type": "application/json",
    ...(c.key === null ? {} : { "x-api-key": c.key ?? PREDICT_KEY }),
    ...c.headers,
  });
  const requestId = res.headers["x-request-id"];
  const text = res.text;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body: any = JSON.parse(text);
  const offered = c.headers?.["x-request-id"];
  if (body.requestId !== undefined) expect(body.requestId).toBe(requestId);
  if (body.model_name !== undefined && body.id !== "my-request") expect(body.id).toBe(requestId);
  if (offered && /^[\w\-=]+$/.test(offered)) expect(requestId).toBe(offered);
  else expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  for (const k of ["requestId", "latencyMs"]) if (k in body) body[k] = typeof body[k];
  if (body.id === requestId) body.id = "(request id)";
  return { status: res.status, contentType: res.headers["content-type"], retryAfter: res.headers["retry-after"], body };
}

describe("fast lane vs Hono", () => {
  it.each(CASES)("$name: the same answer either way", async (c) => {
    const [servedBefore, fallbackBefore] = [await laneCount("served"), await laneCount("fallback")];
    const viaFront = await answer(fast.base, c);
    const [servedAfter, fallbackAfter] = [await laneCount("served"), await laneCount("fallback")];
    const viaHono = await answer(plain.base, c);
    expect(viaFront).toEqual(viaHono);
    expect({ served: servedAfter - servedBefore, fallback: fallbackAfter - fallbackBefore }).toEqual({ served: c.lane === true ? 1 : 0, fallback: c.lane === false ? 1 : 0 });
    // Hono's answers never move the lane's counter.
    expect(await laneCount("served")).toBe(servedAfter);
    if (c.lane === true) expect(viaFront.status).toBe(200);
  });

  it("scores what Hono scores: values, version and event ids", async () => {
    const body = JSON.stringify({ records: [{ counterId: "c1", timestamp: T }, { counterId: "c2", timestamp: T }] });
    type Answer = { model: { name: string; version: string }; predictions: Array<{ eventId: string; value: number }> };
    const go = (base: string) => fetch(`${base}/v1/predict`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": PREDICT_KEY }, body }).then((r) => r.json() as Promise<Answer>);
    const [a, b] = await Promise.all([go(fast.base), go(plain.base)]);
    expect(a.predictions).toEqual(b.predictions);
    expect(a.predictions).toHaveLength(2);
    expect(a.predictions[0]!.value).not.toBe(a.predictions[1]!.value);
    expect(a.model).toEqual({ name: MODEL, version: "1" });
  });

  it("shares one rate limit per key with Hono, and refuses with Hono's 429", async () => {
    const limited = await harness({ limits: { ratePerSecond: 1, burst: 2 } });
    const server = await listen(limited.deps);
    try {
      const go = () => fetch(`${server.base}${INFER}`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": PREDICT_KEY }, body: JSON.stringify(infer(row(1), [1, N])) });
      const health = await fetch(`${server.base}/v1/models`, { headers: { "x-api-key": PREDICT_KEY } }); // Hono takes a token too
      expect(health.status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await go());
      expect(statuses.map((r) => r.status)).toEqual([200, 429, 429]);
      expect(statuses[1]!.headers.get("retry-after")).toBe("1");
      expect(((await statuses[1]!.json()) as { code: string }).code).toBe("RATE_LIMITED");
      limited.clock.advance(1_000);
      expect((await go()).status).toBe(200);
    } finally {
      await server.close();
      await limited.close();
    }
  });
});

/** Sends raw bytes (in pieces, with pauses between them) and reads until the server closes. */
function raw(base: string, pieces: string[], pauseMs = 0): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let out = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (out += d));
    socket.on("error", reject);
    socket.on("close", () => resolve(out));
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no close after: ${out}`)));
    socket.on("connect", async () => {
      for (const p of pieces) {
        socket.write(p);
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });
}

function request(path: string, body: string, headers: Record<string, string> = {}): string {
  const all = { Host: "localhost", "Content-Type": "application/json", "X-API-Key": PREDICT_KEY, "Content-Length": String(Buffer.byteLength(body)), ...headers };
  return `POST ${path} HTTP/1.1\r\n${Object.entries(all)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n${body}`;
}

// A response's status line follows the previous body directly (bodies end without CRLF).
const statusLines = (text: string) => text.match(/HTTP\/1\.1 \d{3}[^\r]*/g) ?? [];

describe("the front's HTTP/1.1 framing", () => {
  const one = JSON.stringify(infer(row(1), [1, N]));

  it("answers pipelined requests in order, and hands the connection to Node at the first it does not answer", async () => {
    const served = await laneCount("served");
    const text = await raw(fast.base, [
      request(INFER, one, { "X-Request-Id": "first" }) +
        request(INFER, JSON.stringify(infer(row(2), [1, N])), { "X-Request-Id": "second" }) +
        "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n" +
        request(INFER, one, { "X-Request-Id": "fourth", Connection: "close" }),
    ]);
    expect(statusLines(text)).toEqual(["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"]);
    expect([...text.matchAll(/x-request-id: (\S+)/g)].map((m) => m[1]).filter((id) => !/^[0-9a-f-]{36}$/.test(id!))).toEqual(["first", "second", "fourth"]);
    expect(text).toContain('{"status":"ok"}');
    // Two answered by the front; /health and everything after it by Node and Hono.
    expect((await laneCount("served")) - served).toBe(2);
  });

  it("waits for a request sent in pieces", async () => {
    const whole = request(INFER, one, { Connection: "close" });
    const pieces = [whole.slice(0, 7), whole.slice(7, 40), whole.slice(40, whole.length - 30), whole.slice(whole.length - 30)];
    const text = await raw(fast.base, pieces, 20);
    expect(statusLines(text)).toEqual(["HTTP/1.1 200 OK"]);
    expect(text).toMatch(/\r\nConnection: close\r\n/);
    expect(text).toContain('"model_name":"bike-next-hour"');
  });

  it("reads a body that arrives in many pieces, and the next request after it", async () => {
    const rows = Array.from({ length: 100 }, (_, i) => row(i));
    const big = request(INFER, JSON.stringify(infer(rows, [100, N])));
    expect(big.length).toBeGreaterThan(5_000);
    const pieces = Array.from({ length: Math.ceil(big.length / 97) }, (_, i) => big.slice(i * 97, (i + 1) * 97));
    const text = await raw(fast.base, [...pieces, request(INFER, one, { Connection: "close" })], 1);
    expect(statusLines(text)).toEqual(["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"]);
    expect(text).toContain('"shape":[100,1]');
  });

  it("hands a request that trickles in past its deadline to Node, which answers it", async () => {
    const slow = await listen(h.deps, { front: { requestDeadlineMs: 300 } });
    try {
      const served = await laneCount("served");
      const whole = request(INFER, one, { Connection: "close" });
      const pieces = Array.from({ length: 8 }, (_, i) => whole.slice((i * whole.length) / 8, ((i + 1) * whole.length) / 8));
      const text = await raw(slow.base, pieces, 100);
      expect(statusLines(text)).toEqual(["HTTP/1.1 200 OK"]);
      expect((await laneCount("served")) - served).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it("closes a keep-alive connection idle for keepAliveMs, and not one in use", async () => {
    const short = await listen(h.deps, { front: { keepAliveMs: 300 } });
    try {
      const socket = connect(Number(new URL(short.base).port), "127.0.0.1");
      let text = "";
      socket.on("data", (b: Buffer) => (text += b.toString("latin1")));
      const closedAt = new Promise<number>((done) => socket.on("close", () => done(Date.now())));
      await new Promise<void>((ready) => socket.once("connect", () => ready()));
      const opened = Date.now();
      // Busy for longer than keepAliveMs in all, but never idle for that long.
      for (let i = 0; i < 4; i++) {
        socket.write(request(INFER, one));
        await new Promise((r) => setTimeout(r, 150));
      }
      const lastAnswer = Date.now();
      const closed = await closedAt;
      expect(statusLines(text)).toEqual(Array(4).fill("HTTP/1.1 200 OK"));
      expect(lastAnswer - opened).toBeGreaterThan(500);
      expect(closed - lastAnswer).toBeGreaterThanOrEqual(150);
      expect(closed - lastAnswer).toBeLessThan(300 + 75 + 250);
    } finally {
      await short.close();
    }
  });

  it("hands a connection idle in the middle of a request to Node, which answers it when the rest comes", async () => {
    const short = await listen(h.deps, { front: { keepAliveMs: 200 } });
    try {
      const served = await laneCount("served");
      const whole = request(INFER, one, { Connection: "close" });
      const text = await raw(short.base, [whole.slice(0, 40), whole.slice(40)], 500);
      expect(statusLines(text)).toEqual(["HTTP/1.1 200 OK"]);
      expect((await laneCount("served")) - served).toBe(0);
    } finally {
      await short.close();
    }
  });

  it("leaves chunked bodies, Expect, duplicate lengths and bad framing to Node's parser", async () => {
    const served = await laneCount("served");
    const chunked = await raw(fast.base, [request(INFER, "", { "Content-Length": "", "Transfer-Encoding": "chunked", Connection: "close" }) + `${one.length.toString(16)}\r\n${one}\r\n0\r\n\r\n`]);
    expect(statusLines(chunked)).toEqual(["HTTP/1.1 200 OK"]);
    const expectContinue = await raw(fast.base, [request(INFER, one, { Expect: "100-continue", Connection: "close" })]);
    expect(statusLines(expectContinue)).toEqual(["HTTP/1.1 100 Continue", "HTTP/1.1 200 OK"]);
    const controlChar = await raw(fast.base, [request(INFER, one, { "X-Request-Id": "a\u0001b", Connection: "close" })]);
    expect(statusLines(controlChar)).toEqual(["HTTP/1.1 400 Bad Request"]);
    const twoLengths = await raw(fast.base, [request(INFER, one, { Connection: "close" }).replace("Content-Length:", `Content-Length: ${one.length}\r\nContent-Length:`)]);
    expect(statusLines(twoLengths)).toEqual(["HTTP/1.1 400 Bad Request"]);
    const noHost = await raw(fast.base, [request(INFER, one, { Host: "", Connection: "close" })]);
    expect(statusLines(noHost)).toEqual(["HTTP/1.1 400 Bad Request"]);
    const garbage = await raw(fast.base, ["HELLO THERE\r\n\r\n"]);
    expect(statusLines(garbage)).toEqual(["HTTP/1.1 400 Bad Request"]);
    const http10 = await raw(fast.base, [request(INFER, one).replace("HTTP/1.1", "HTTP/1.0")]);
    expect(statusLines(http10)).toEqual(["HTTP/1.1 200 OK"]);
    expect((await laneCount("served")) - served).toBe(0);
  });

  it("answers 413 through Hono for a declared body over the limit, and keeps serving", async () => {
    const big = "x".repeat(70_000);
    const text = await raw(fast.base, [request(INFER, big, { Connection: "close" })]);
    expect(statusLines(text)).toEqual(["HTTP/1.1 413 Payload Too Large"]);
    const after = await fetch(`${fast.base}${INFER}`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": PREDICT_KEY }, body: one });
    expect(after.status).toBe(200);
  });
});
