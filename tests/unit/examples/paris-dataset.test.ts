import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataFormatError } from "../../../schemas/index.ts";
import {
  PARIS_SAMPLE_ROWS,
  parseNaiveUtc,
  readParisEvents,
  readParisSample,
} from "../../../examples/bike-traffic/dataset.ts";

const HEADER =
  "counter_id,counter_name,site_id,site_name,bike_count,date,counter_installation_date,counter_technical_id,latitude,longitude";

function csv(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "paris-"));
  const path = join(dir, "sample.csv");
  writeFileSync(path, [HEADER, ...lines].join("\n") + "\n");
  return path;
}

describe("Paris sample loader", () => {
  it("streams all 218,609 real rows of 25 counters in event-time order", async () => {
    let n = 0;
    let last = 0;
    let ordered = true;
    const counters = new Set<string>();
    let first: number | undefined;
    for await (const e of readParisEvents()) {
      n += 1;
      if (e.timestamp < last) ordered = false;
      last = e.timestamp;
      first ??= e.timestamp;
      counters.add(e.counterId);
    }
    expect(n).toBe(PARIS_SAMPLE_ROWS);
    expect(counters.size).toBe(25);
    expect(ordered).toBe(true);
    expect(new Date(first!).toISOString()).toBe("2020-09-01T01:00:00.000Z");
    expect(new Date(last).toISOString()).toBe("2021-09-09T23:00:00.000Z");
  });

  it("reads naive timestamps as UTC", () => {
    expect(parseNaiveUtc("2021-03-28 02:00:00")).toBe(Date.UTC(2021, 2, 28, 2));
    expect(parseNaiveUtc("28/03/2021")).toBeNaN();
  });

  it("parses a row into a typed event with its descriptive names", async () => {
    const path = csv([
      "100007049-101007049,28 boulevard Diderot O-E,100007049,28 boulevard Diderot,7,2020-09-01 01:00:00,2013-01-18 00:00:00,Y2H15027244,48.846028,2.375429",
    ]);
    const rows = [];
    for await (const r of readParisSample(path)) rows.push(r);
    expect(rows).toEqual([
      {
        event: {
          counterId: "100007049-101007049",
          siteId: "100007049",
          timestamp: Date.UTC(2020, 8, 1, 1),
          count: 7,
          latitude: 48.846028,
          longitude: 2.375429,
        },
        counterName: "28 boulevard Diderot O-E",
        siteName: "28 boulevard Diderot",
      },
    ]);
  });

  it("fails on a malformed count naming the line and field", async () => {
    const path = csv([
      "100007049-101007049,x,100007049,y,-4,2020-09-01 01:00:00,2013-01-18 00:00:00,T,48.8,2.3",
    ]);
    const error = await (async () => {
      for await (const _ of readParisSample(path)) void _;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toMatch(/sample\.csv:2: count: count must not be negative/);
  });

  it("fails when a row steps back in time", async () => {
    const path = csv([
      "a,x,s,y,1,2020-09-01 02:00:00,2013-01-18 00:00:00,T,48.8,2.3",
      "a,x,s,y,1,2020-09-01 01:00:00,2013-01-18 00:00:00,T,48.8,2.3",
    ]);
    const error = await (async () => {
      for await (const _ of readParisSample(path)) void _;
    })().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/:3: rows are not in event-time order/);
  });
});
