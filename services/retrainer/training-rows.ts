// The retrainer's training rows: what the stream emitted, joined with what followed ("log and
// wait"). A feature vector (the features topic) becomes a row when an outcome (the outcomes
// topic) reports the actual value of its forecast; the label is that actual. Rows are the
// recent window [until − windowMs, until) of the forecasts' target hours; `until` defaults to
// just after the newest outcome. The scanned offset ranges name exactly which records were read.
import type { FeatureVector, Outcome } from "../../schemas/index.ts";
import type { Stream } from "../../stream/runtime/index.ts";
import { describeRanges, type TopicScanner } from "../monitor/index.ts";
import type { SnapshotRow } from "./snapshot.ts";

export interface RecentRowsRequest {
  windowMs: number;
  /** Exclusive end of the window, event time; default: newest outcome + 1 ms. */
  until?: number;
  /** Skip records appended to the log before this time (bounds the scan on long topics). */
  sinceLogTime?: number;
}

export interface RecentRows {
  rows: SnapshotRow[];
  /** topic:partition:from-to of every range read. */
  source: string;
  from: number;
  until: number;
  outcomesRead: number;
  featuresRead: number;
}

export async function recentTrainingRows(
  scanner: TopicScanner,
  streams: { features: Stream<FeatureVector>; outcomes: Stream<Outcome> },
  request: RecentRowsRequest,
): Promise<RecentRows> {
  const labels = new Map<string, { time: number; actual: number }>();
  let newest = -Infinity;
  const outcomeScan = await scanner.scan(
    streams.outcomes,
    (o) => {
      labels.set(o.eventId, { time: o.targetTime, actual: o.actual });
      if (o.targetTime > newest) newest = o.targetTime;
    },
    { sinceLogTime: request.sinceLogTime },
  );
  const until = request.until ?? (Number.isFinite(newest) ? newest + 1 : 0);
  const from = until - request.windowMs;
  const byId = new Map<string, SnapshotRow>();
  const featureScan = await scanner.scan(
    streams.features,
    (f) => {
      if (!f.complete || f.targetTime < from || f.targetTime >= until || byId.has(f.eventId)) return;
      const label = labels.get(f.eventId);
      if (!label) return;
      byId.set(f.eventId, { entityId: f.entityId, eventTime: f.targetTime, values: f.values, label: label.actual });
    },
    { sinceLogTime: request.sinceLogTime },
  );
  const rows = [...byId.values()].sort((a, b) => a.eventTime - b.eventTime || (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
  return {
    rows,
    source: describeRanges([...featureScan.ranges, ...outcomeScan.ranges]),
    from,
    until,
    outcomesRead: outcomeScan.records,
    featuresRead: featureScan.records,
  };
}
