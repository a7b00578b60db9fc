// Typed errors of the drift and accuracy monitor.
import { EdgeflowError } from "../../schemas/index.ts";

/** Stored pane state does not fit the reference it is decoded against (another model version). */
export class PaneStateMismatch extends EdgeflowError {
  constructor(what: string, reason: string) {
    super("MONITOR_PANE_STATE_MISMATCH", `${what}: ${reason}`);
  }
}

/** A model version's reference profile leaves nothing to monitor, or cannot be read. */
export class ReferenceUnusable extends EdgeflowError {
  constructor(source: string, reason: string) {
    super("MONITOR_REFERENCE_UNUSABLE", `${source}: ${reason}`);
  }
}

/** InfluxDB refused or could not take a write; retriable (the batch is retried, points are idempotent). */
export class SinkWriteFailed extends EdgeflowError {
  constructor(reason: string, cause?: unknown) {
    super("MONITOR_SINK_WRITE_FAILED", `InfluxDB write failed: ${reason}`, { retriable: true, cause });
  }
}

/** No features could be read for a drift report. */
export class ReportInputEmpty extends EdgeflowError {
  constructor(reason: string) {
    super("DRIFT_REPORT_EMPTY", reason);
  }
}
