// Tests build the bike streams the way the services do.
export { bikeStreams, type BikeStreams } from "../../examples/bike-traffic/streams.ts";

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readParisEvents } from "../../examples/bike-traffic/dataset.ts";
import type { BikeCountEvent } from "../../schemas/index.ts";
import { BIKE_FEATURE_SPEC } from "../../stream/features/index.ts";
import { writeLinearModelFolder } from "./linear-model.ts";

/** The Paris sample's events before `until` (epoch ms), in event-time order. */
export async function parisEventsBefore(until: number): Promise<BikeCountEvent[]> {
  const events: BikeCountEvent[] = [];
  for await (const e of readParisEvents()) {
    if (e.timestamp >= until) break;
    events.push(e);
  }
  return events;
}

/** A model folder whose forecast is last week's count (lag_168h), for the bike spec. */
export function lastWeekModelDir(): string {
  return writeLinearModelFolder(mkdtempSync(join(tmpdir(), "ef-model-")), { name: "bike", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_168h: 1 } }).dir;
}
