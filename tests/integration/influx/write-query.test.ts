// Points written to a real InfluxDB 1.x come back by InfluxQL query, tags and fields intact.
import { randomUUID } from "node:crypto";
import { InfluxDB, FieldType } from "influx";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const services = inject("services");
const database = `it_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
const url = new URL(services.influxUrl);
const influx = new InfluxDB({
  host: url.hostname,
  port: Number(url.port || 8086),
  protocol: url.protocol === "https:" ? "https" : "http",
  database,
  schema: [
    {
      measurement: "drift_feature",
      tags: ["model", "version", "feature", "method"],
      fields: { value: FieldType.FLOAT, p_value: FieldType.FLOAT, drifted: FieldType.BOOLEAN },
    },
  ],
});

beforeAll(async () => {
  await influx.createDatabase(database);
});

afterAll(async () => {
  await influx.dropDatabase(database);
});

describe("InfluxDB", () => {
  it("returns by query the points it was sent, per tag, in time order", async () => {
    const start = Date.UTC(2020, 10, 2);
    const points = Array.from({ length: 48 }, (_, i) => ({
      measurement: "drift_feature",
      tags: { model: "bike-next-hour", version: "1", feature: i % 2 === 0 ? "lag_1h" : "hour", method: "psi" },
      fields: { value: i / 100, p_value: 1 - i / 100, drifted: i >= 40 },
      timestamp: new Date(start + i * 3_600_000),
    }));
    await influx.writePoints(points, { precision: "ms" });

    const rows = await influx.query<{ time: Date; value: number; drifted: boolean; feature: string }>(
      `SELECT value, drifted, feature FROM drift_feature WHERE feature = 'lag_1h' AND model = 'bike-next-hour' ORDER BY time ASC`,
    );
    expect(rows).toHaveLength(24);
    expect(rows.map((r) => r.value)).toEqual(points.filter((_, i) => i % 2 === 0).map((p) => p.fields.value));
    expect(rows[0]!.time.getTime()).toBe(start);
    expect(rows.filter((r) => r.drifted)).toHaveLength(4);

    const [agg] = await influx.query<{ n: number; mean: number }>(
      `SELECT count(value) AS n, mean(value) AS mean FROM drift_feature WHERE method = 'psi'`,
    );
    expect(agg!.n).toBe(48);
    expect(agg!.mean).toBeCloseTo(0.235, 10);
  });

  it("lists the database it created and no longer lists it once dropped", async () => {
    const other = `${database}_tmp`;
    await influx.createDatabase(other);
    expect(await influx.getDatabaseNames()).toContain(other);
    await influx.dropDatabase(other);
    expect(await influx.getDatabaseNames()).not.toContain(other);
  });
});
