// Snapshot → trainer → registry for the bike use case: the Paris sample runs through the
// same feature functions the stream runs, the Python trainer fits and exports to ONNX, the
// registry stores the version, and the gate decides whether it becomes champion.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { edgeflowHome } from "../../schemas/index.ts";
import { readParisEvents } from "../../examples/bike-traffic/dataset.ts";
import { bikeTrainingRows } from "../../examples/bike-traffic/training-rows.ts";
import { BIKE_FEATURE_SPEC } from "../../stream/features/index.ts";
import { CHAMPION, decide, holdoutIdOf, type ModelRegistry, type ModelVersion } from "../registry/index.ts";
import { writeSnapshot, type SnapshotManifest } from "./snapshot.ts";
import { runTrainer, type TrainResult } from "./trainer-process.ts";

export interface TrainBikeOptions {
  registry: ModelRegistry;
  name?: string;
  home?: string;
  /** Rows (by target hour) used at all: [from, to). */
  from?: string;
  to?: string;
  trainTo?: string;
  testFrom?: string;
  testTo?: string;
  trials?: number;
  candidates?: string[];
  /** Promote even if the gate refuses (manual override), or never promote. */
  promote?: "gate" | "always" | "never";
  margin?: number;
  progress?: (line: string) => void;
}

export interface TrainBikeResult {
  snapshot: SnapshotManifest;
  trained: TrainResult;
  version: ModelVersion;
  promoted: boolean;
  reasons: string[];
}

export async function trainBikeModel(o: TrainBikeOptions): Promise<TrainBikeResult> {
  const say = o.progress ?? (() => undefined);
  const home = o.home ?? edgeflowHome();
  const name = o.name ?? "bike-next-hour";
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  mkdirSync(join(home, "snapshots"), { recursive: true });
  mkdirSync(join(home, "work"), { recursive: true });

  say("snapshot: running the Paris sample through the stream's feature functions");
  const snapshotDir = join(home, "snapshots", `bike-traffic-${stamp}`);
  const rows = bikeTrainingRows(readParisEvents(), {
    from: o.from ? Date.parse(o.from) : undefined,
    to: o.to ? Date.parse(o.to) : undefined,
  });
  const snapshot = await writeSnapshot(rows, {
    dir: snapshotDir,
    spec: BIKE_FEATURE_SPEC,
    task: "regression",
    label: "count_next_hour",
    useCase: "bike-traffic",
    onProgress: (n) => say(`snapshot: ${n} rows`),
  });
  say(`snapshot: ${snapshot.rows} rows ${snapshot.from} → ${snapshot.to}, sha256 ${snapshot.sha256.slice(0, 12)}…`);

  const champion = await o.registry.get(name, CHAMPION).catch(() => null);
  const outDir = join(home, "work", `train-${name}-${stamp}`);
  say("train: launching the Python trainer");
  const trained = await runTrainer({
    snapshotDir,
    outDir,
    name,
    trainTo: o.trainTo,
    testFrom: o.testFrom,
    testTo: o.testTo,
    trials: o.trials,
    candidates: o.candidates,
    parent: champion?.version ?? null,
    onProgress: (line) => say(`train: ${summariseTrainerLine(line)}`),
  });
  const version = await o.registry.register(trained.outDir, { name });
  say(`registry: ${name} v${version.version} registered (${trained.chosen}, ${fmtMetrics(version.card.metrics.test)})`);

  const verdict = decide({
    task: version.card.task,
    candidate: { holdoutId: holdoutIdOf(version.card), metrics: version.card.metrics.test },
    champion: champion ? { holdoutId: holdoutIdOf(champion.card), metrics: champion.card.metrics.test } : null,
    margin: o.margin ?? 0.02,
  });
  const mode = o.promote ?? "gate";
  const promote = mode === "always" || (mode === "gate" && verdict.promote);
  await o.registry.recordDecision(name, version.version, {
    promote,
    reasons: mode === "gate" ? verdict.reasons : [`promotion ${mode} (manual)`, ...verdict.reasons],
    championVersion: champion?.version ?? null,
    holdoutId: holdoutIdOf(version.card),
    margin: o.margin ?? 0.02,
    decidedAt: new Date().toISOString(),
  });
  if (promote) {
    await o.registry.promote(name, version.version, { reason: `trained by edgeflow train: ${verdict.reasons.join("; ")}` });
    say(`registry: ${name} v${version.version} is champion`);
  } else {
    say(`registry: ${name} v${version.version} not promoted: ${verdict.reasons.join("; ")}`);
  }
  return { snapshot, trained, version, promoted: promote, reasons: verdict.reasons };
}

function fmtMetrics(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(", ");
}

/** The trainer logs JSON lines; show their message and the interesting fields. */
function summariseTrainerLine(line: string): string {
  try {
    const { msg, time: _t, level: _l, component: _c, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extra = Object.entries(rest)
      .filter(([, v]) => typeof v !== "object")
      .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : String(v)}`)
      .join(" ");
    return `${String(msg)}${extra ? ` ${extra}` : ""}`;
  } catch {
    return line;
  }
}
