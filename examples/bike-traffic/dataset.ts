// Streams the shipped Paris bike counter sample (ODbL, Ville de Paris; see data/SOURCE.md)
// as typed events in event-time order. The file is gzip-compressed CSV; timestamps are
// naive UTC ("2020-09-01 01:00:00"). A malformed row or a step back in time is an error
// naming the line, never a silently skipped row.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { fileURLToPath } from "node:url";
import { BikeCountEvent, DataFormatError, issuesOf } from "../../schemas/index.ts";

export const PARIS_SAMPLE_PATH = fileURLToPath(
  new URL("./data/paris_bike_counts_hourly_2020-09_2021-09.csv.gz", import.meta.url),
);
export const PARIS_SAMPLE_ROWS = 218_609;

const HEADER =
  "counter_id,counter_name,site_id,site_name,bike_count,date,counter_installation_date,counter_technical_id,latitude,longitude";

/** One row of the sample: the event plus the descriptive fields that are not on the wire. */
export interface ParisRow {
  event: BikeCountEvent;
  counterName: string;
  siteName: string;
}

const NAIVE_UTC = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export function parseNaiveUtc(text: string): number {
  const m = NAIVE_UTC.exec(text);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

export function parseParisLine(line: string, source: string, lineNo: number): ParisRow {
  const cols = line.split(",");
  if (cols.length !== 10) throw new DataFormatError(source, lineNo, `expected 10 columns, found ${cols.length}`);
  const [counterId, counterName, siteId, siteName, count, date, , , lat, lon] = cols as [
    string, string, string, string, string, string, string, string, string, string,
  ];
  const timestamp = parseNaiveUtc(date);
  if (Number.isNaN(timestamp)) throw new DataFormatError(source, lineNo, `date "${date}" is not YYYY-MM-DD HH:MM:SS`);
  const parsed = BikeCountEvent.safeParse({
    counterId,
    siteId,
    timestamp,
    count: Number(count),
    latitude: Number(lat),
    longitude: Number(lon),
  });
  if (!parsed.success) {
    const detail = issuesOf(parsed.error).map((i) => `${i.path}: ${i.message}`).join("; ");
    throw new DataFormatError(source, lineNo, detail);
  }
  return { event: parsed.data, counterName, siteName };
}

/** Yields every row of the sample in file order, which is event-time order (checked). */
export async function* readParisSample(path: string = PARIS_SAMPLE_PATH): AsyncGenerator<ParisRow> {
  const input = createReadStream(path);
  const lines = createInterface({
    input: path.endsWith(".gz") ? input.pipe(createGunzip()) : input,
    crlfDelay: Infinity,
  });
  let lineNo = 0;
  let last = -Infinity;
  try {
    for await (const line of lines) {
      lineNo += 1;
      if (lineNo === 1) {
        if (line !== HEADER) throw new DataFormatError(path, 1, `unexpected header "${line.slice(0, 80)}…"`);
        continue;
      }
      if (line.length === 0) continue;
      const row = parseParisLine(line, path, lineNo);
      if (row.event.timestamp < last) {
        throw new DataFormatError(path, lineNo, "rows are not in event-time order");
      }
      last = row.event.timestamp;
      yield row;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Convenience: just the events. */
export async function* readParisEvents(path?: string): AsyncGenerator<BikeCountEvent> {
  for await (const row of readParisSample(path)) yield row.event;
}
