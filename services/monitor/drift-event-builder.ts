// The drift topic's message for a window that completed an episode (pure).
import { driftEventId, type DriftEvent } from "../../schemas/index.ts";
import type { ClosedWindow } from "./window-clock.ts";

export type DriftEventFields = Pick<DriftEvent, "type" | "model" | "version" | "consecutiveWindows" | "rows" | "reason"> &
  Partial<Pick<DriftEvent, "driftedShare" | "driftedFeatures" | "rmse" | "mae" | "r2">> & { w: ClosedWindow };

export function buildDriftEvent(e: DriftEventFields, at: number): DriftEvent {
  return {
    eventId: driftEventId({ model: e.model, version: e.version, type: e.type, windowStart: e.w.start }),
    type: e.type,
    model: e.model,
    version: e.version,
    windowStart: e.w.start,
    windowEnd: e.w.end,
    consecutiveWindows: e.consecutiveWindows,
    driftedShare: e.driftedShare ?? null,
    driftedFeatures: e.driftedFeatures ?? [],
    rmse: e.rmse ?? null,
    mae: e.mae ?? null,
    r2: e.r2 ?? null,
    rows: e.rows,
    reason: e.reason,
    at,
  };
}
