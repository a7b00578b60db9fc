// A retraining run's lifecycle (pure): the states it may enter, in order, and the record of
// each — what the `retrain-runs` topic carries. Each record holds everything known so far,
// and the time spent in every state already left (`durations`, ms, keyed by state).
//
//   requested ─► snapshot ─► training ─► gated ─► promoted
//       │            │           │          └───► rejected
//       └────────────┴───────────┴──────────────► failed
import { RetrainRun, type RetrainRunStatus, type RetrainTriggerKind } from "../../schemas/index.ts";
import { EdgeflowError } from "../../schemas/index.ts";

export const NEXT_STATES: Readonly<Record<RetrainRunStatus, readonly RetrainRunStatus[]>> = {
  requested: ["snapshot", "failed"],
  snapshot: ["training", "failed"],
  training: ["gated", "failed"],
  gated: ["promoted", "rejected", "failed"],
  promoted: [],
  rejected: [],
  failed: [],
};

export const TERMINAL: ReadonlySet<RetrainRunStatus> = new Set(["promoted", "rejected", "failed"]);

export class InvalidRunTransition extends EdgeflowError {
  constructor(runId: string, from: RetrainRunStatus, to: RetrainRunStatus) {
    super("RETRAIN_INVALID_TRANSITION", `run ${runId}: cannot go from ${from} to ${to} (allowed: ${NEXT_STATES[from].join(", ") || "none, it has ended"})`);
  }
}

export interface NewRun {
  runId: string;
  model: string;
  trigger: RetrainTriggerKind;
  triggerEvents: string[];
  reasons: string[];
  championVersion: string | null;
}

export function requestRun(r: NewRun, now: number): RetrainRun {
  return RetrainRun.parse({
    ...r,
    status: "requested",
    requestedAt: now,
    at: now,
    durations: {},
    snapshot: null,
    candidateVersion: null,
    holdoutId: null,
    candidateMetrics: null,
    championMetrics: null,
    error: null,
  });
}

export type RunPatch = Partial<Pick<RetrainRun, "snapshot" | "candidateVersion" | "championVersion" | "holdoutId" | "candidateMetrics" | "championMetrics" | "error">> & {
  /** Appended to the run's reasons. */
  reasons?: string[];
};

/** The run's next record: `to` entered at `now`, the state left timed, `patch` applied. */
export function advanceRun(run: RetrainRun, to: RetrainRunStatus, now: number, patch: RunPatch = {}): RetrainRun {
  if (!NEXT_STATES[run.status].includes(to)) throw new InvalidRunTransition(run.runId, run.status, to);
  const { reasons, ...rest } = patch;
  const durations = { ...run.durations, [run.status]: Math.max(0, now - run.at) };
  if (TERMINAL.has(to)) durations.total = Math.max(0, now - run.requestedAt);
  return RetrainRun.parse({ ...run, ...rest, status: to, at: now, durations, reasons: [...run.reasons, ...(reasons ?? [])] });
}
