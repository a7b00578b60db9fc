// POST /v1/predict and /v1/events through Hono's in-memory request: features from a sent
// history or the held counter state, batches, and every 4xx the route promises.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIKE_FEATURE_NAMES, BIKE_FEATURE_SPEC, HOUR_MS, stepBikeFeatures } from "../../../stream/features/index.ts";
import { asBikeEvent } from "../../../services/api/counter-state.ts";
import { T, harness, history, post, type Harness } from "./fixtures.ts";

let h: Harness;
beforeAll(async () => {
  // value = lag_1h + 2 · lag_24h + 0.5: easy to check by hand.
  h = await harness({ weights: { lag_1h: 1, lag_24h: 2 }, limits: { maxBatch: 5, maxHistory: 300, bodyLimitBytes: 64 * 1024 } });
  await h.addVersion({ lag_1h: 1, lag_24h: 2 }, { bias: 0.5 });
});
afterAll(() => h.close());

const countAt = (hist: Array<{ timestamp: number; count: number }>, ts: number) => hist.find((e) => e.timestamp === ts)!.count;

describe("POST /v1/predict with history", () => {
  it("forecasts t + 1 from the history's features and names the model version and event", async () => {
    const hist = history(T, 200);
    const res = await post(h.app, "/v1/predict", { counterId: "c1", timestamp: new Date(T).toISOString(), history: hist });
    expect(res.status).toBe(200);
    const body = await res.json();
    const expected = countAt(hist, T) + 2 * countAt(hist, T + HOUR_MS - 24 * HOUR_MS) + 0.5;
    expect(body.model).toEqual({ name: "bike-next-hour", version: "2" });
    expect(body.predictions).toHaveLength(1);
    expect(body.predictions[0]).toEqual({
      eventId: "c1@2021-03-01T08:00:00.000Z",
      counterId: "c1",
      targetTime: "2021-03-01T09:00:00.000Z",
      value: expect.closeTo(expected, 3),
    });
    expect(body.latencyMs).toBeGreaterThan(0);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("computes exactly the stream processor's features (same stepBikeFeatures)", async () => {
    const hist = history(T, 200);
    let state;
    let row;
    for (const e of hist) {
      const step = stepBikeFeatures(state, asBikeEvent({ counterId: "c1", ...e }));
      state = step.state;
      if (step.kind === "features") row = step.row;
    }
    // The linear model reads two features; recover the rest through a model of each one.
    const lag1 = row!.values[BIKE_FEATURE_NAMES.indexOf("lag_1h")]!;
    const lag24 = row!.values[BIKE_FEATURE_NAMES.indexOf("lag_24h")]!;
    const res = await post(h.app, "/v1/predict", { counterId: "c1", timestamp: T, history: [...hist].reverse() });
    expect((await res.json()).predictions[0].value).toBeCloseTo(lag1 + 2 * lag24 + 0.5, 3);
    expect(row!.complete).toBe(true);
    expect(BIKE_FEATURE_SPEC.features).toHaveLength(row!.values.length);
  });

  it("scores a batch in order and accepts epoch milliseconds and offsets", async () => {
    const records = ["a", "b", "c"].map((id, i) => ({ counterId: id, timestamp: i === 0 ? T : "2021-03-01T09:00:00+01:00", history: history(T, 180) }));
    const res = await post(h.app, "/v1/predict", { records });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.predictions.map((p: { counterId: string }) => p.counterId)).toEqual(["a", "b", "c"]);
    expect(new Set(body.predictions.map((p: { targetTime: string }) => p.targetTime))).toEqual(new Set(["2021-03-01T09:00:00.000Z"]));
  });

  it("answers 422 naming a record whose history is too short, with the missing features", async () => {
    const res = await post(h.app, "/v1/predict", { records: [{ counterId: "ok", timestamp: T, history: history(T, 180) }, { counterId: "short", timestamp: T, history: history(T, 179) }] });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe("FEATURES_UNAVAILABLE");
    expect(body.issues).toHaveLength(1);
    expect(body.issues[0].path).toBe("records.1.history");
    expect(body.issues[0].message).toMatch(/"short".*missing roll_mean_24h_last_week, seasonal_week/);
  });

  it("answers 422 when the history does not end at the record's hour", async () => {
    const res = await post(h.app, "/v1/predict", { counterId: "c", timestamp: T + HOUR_MS, history: history(T, 200) });
    expect(res.status).toBe(422);
    expect((await res.json()).issues[0]).toMatchObject({ path: "history", message: expect.stringMatching(/newest history entry is 2021-03-01T08:00:00.000Z/) });
  });
});

describe("POST /v1/predict validation", () => {
  it("names every offending field and reports unknown fields instead of dropping them", async () => {
    const res = await post(h.app, "/v1/predict", {
      records: [
        { counterId: "", timestamp: "yesterday", history: [{ timestamp: T, count: -1 }] },
        { counterId: "x", timestamp: T, colour: "red" },
      ],
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe("VALIDATION_FAILED");
    const paths = body.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(["records.0.counterId", "records.0.history.0.count", "records.0.timestamp", "records.1.colour"]);
    expect(body.issues.find((i: { path: string }) => i.path === "records.1.colour").message).toBe("unknown field");
    expect(body.error).toContain("records.0.timestamp");
  });

  it("checks a single record against the record schema", async () => {
    const res = await post(h.app, "/v1/predict", { counterId: "x", timestamp: 12, extra: 1 });
    const body = await res.json();
    expect(res.status).toBe(422);
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(["extra", "timestamp"]);
  });

  it("refuses a batch over the configured limit", async () => {
    const res = await post(h.app, "/v1/predict", { records: Array.from({ length: 6 }, () => ({ counterId: "x", timestamp: T })) });
    expect(res.status).toBe(422);
    expect((await res.json()).issues[0].path).toBe("records");
  });

  it("answers 400 to a body that is not JSON and 415 to one that is not application/json", async () => {
    const bad = await post(h.app, "/v1/predict", "{not json");
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe("MALFORMED_JSON");
    const text = await post(h.app, "/v1/predict", "counterId=x", undefined, { "content-type": "text/plain" });
    expect(text.status).toBe(415);
  });

  it("answers 413 to a body over the size limit", async () => {
    const huge = { counterId: "x", timestamp: T, history: history(T, 300).map((e) => ({ ...e, timestamp: new Date(e.timestamp).toISOString() })), pad: "x".repeat(70_000) };
    const res = await post(h.app, "/v1/predict", huge);
    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("POST /v1/events then /v1/predict without history", () => {
  it("uses the state the API holds for the counter", async () => {
    const hist = history(T, 200);
    const fed = await post(h.app, "/v1/events", { events: hist.map((e) => ({ counterId: "held", ...e })).slice(0, 5) });
    expect(await fed.json()).toMatchObject({ accepted: 5, late: 0, duplicates: 0 });
    for (let i = 5; i < hist.length; i += 5) await post(h.app, "/v1/events", { events: hist.slice(i, i + 5).map((e) => ({ counterId: "held", ...e })) });
    const again = await post(h.app, "/v1/events", { events: [{ counterId: "held", ...hist[10]! }] });
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 1 });

    const viaState = await (await post(h.app, "/v1/predict", { counterId: "held", timestamp: T })).json();
    const viaHistory = await (await post(h.app, "/v1/predict", { counterId: "held", timestamp: T, history: hist })).json();
    expect(viaState.predictions[0].value).toBe(viaHistory.predictions[0].value);
  });

  it("moves to the next hour when its count arrives (the held features are recomputed)", async () => {
    const hist = history(T + HOUR_MS, 201);
    // This app takes 5 records a request.
    for (let i = 0; i < 200; i += 5) await post(h.app, "/v1/events", { events: hist.slice(i, Math.min(i + 5, 200)).map((e) => ({ counterId: "moving", ...e })) });
    const atT = await (await post(h.app, "/v1/predict", { counterId: "moving", timestamp: T })).json();
    expect(atT.predictions[0].targetTime).toBe("2021-03-01T09:00:00.000Z");
    await post(h.app, "/v1/events", { events: [{ counterId: "moving", ...hist[200]! }] });
    const stale = await post(h.app, "/v1/predict", { counterId: "moving", timestamp: T });
    expect(stale.status).toBe(422);
    const next = await (await post(h.app, "/v1/predict", { counterId: "moving", timestamp: T + HOUR_MS })).json();
    const expected = (await (await post(h.app, "/v1/predict", { counterId: "moving", timestamp: T + HOUR_MS, history: hist })).json()).predictions[0];
    expect(next.predictions[0]).toEqual(expected);
    expect(next.predictions[0].targetTime).toBe("2021-03-01T10:00:00.000Z");
  });

  it("answers 422 for a counter it holds nothing for, or a different hour than the one held", async () => {
    const unknown = await post(h.app, "/v1/predict", { records: [{ counterId: "never-seen", timestamp: T }, { counterId: "held", timestamp: T - HOUR_MS }] });
    expect(unknown.status).toBe(422);
    const issues = (await unknown.json()).issues;
    expect(issues[0]).toMatchObject({ path: "records.0.counterId", message: expect.stringContaining("never-seen") });
    expect(issues[1]).toMatchObject({ path: "records.1.timestamp", message: expect.stringContaining("2021-03-01T08:00:00.000Z") });
  });
});
