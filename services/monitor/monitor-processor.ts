// The drift and accuracy monitor: a Processor over the model-keyed observations topic (see
// rekey-processor.ts). Per model it keeps three event-time window clocks — features,
// predictions, outcomes — because in a replay the three streams progress at different speeds
// and one watermark would make the slower ones late. On each closed window it:
//
//   features    evaluates every monitored feature against the serving version's reference
//               (stream/drift), writes drift_feature + drift_dataset points, and feeds the
//               dataset verdict to the drift hysteresis → a `dataset_drift` event per episode;
//   predictions writes drift_prediction points (reported, not an alarm);
//   outcomes    writes RMSE / MAE / R² per version (`performance`), sets the gauges, and
//               feeds the champion's verdict to the degradation hysteresis → a
//               `performance_degradation` event per episode.
//
// Events go to the `drift` topic in the batch's transaction; points go to the sink before the
// batch commits — a retried batch rewrites the same points (idempotent), so nothing is lost
// or doubled. When the champion changes, the open feature/prediction windows (built on the
// old reference) are closed early and written as the old version's, marked partial; new
// windows start on the new reference, and windows that began before the change are partial
// too. Partial windows do not count towards the hysteresis.
import type { DriftEvent, MonitorObservation } from "../../schemas/index.ts";
import { evaluateDataset, evaluateNumeric, parseWindowSpec, DEFAULT_DRIFT_CONFIG, NumericAccumulator, type DriftConfig, type WindowSpecInput } from "../../stream/drift/index.ts";
import { createLogger, type InputRecord, type Processor, type ProcessorContext, type Stream } from "../../stream/runtime/index.ts";
import { stepHysteresis, type HysteresisConfig } from "./hysteresis.ts";
import { buildDriftEvent, type DriftEventFields } from "./drift-event-builder.ts";
import { driftDatasetShare, driftEvents, monitorPanesDiscarded, monitorRowsSkipped, monitorWindows, PerformanceGauges } from "./metrics.ts";
import { featurePaneKey, metaKey, newMeta, outcomePaneKey, PaneCache, predictionPaneKey, type MonitorMeta, type MonitorStateValue } from "./monitor-state.ts";
import type { MonitoredModel } from "./monitored-model.ts";
import { addOutcome, judgePerformance, mergePerformance, newPerformance, performanceMetrics, type PerformanceBounds } from "./performance.ts";
import { featureDriftPoints, performancePoint, predictionDriftPoints, type MonitorPoint, type MonitorSink } from "./points.ts";
import { advance, clearPanes, placeRow, type ClosedWindow, type WindowClockConfig } from "./window-clock.ts";

export interface DriftMonitorOptions {
  name?: string;
  observations: Stream<MonitorObservation>;
  events: Stream<DriftEvent>;
  /** The version being judged now (the champion); read at every batch. */
  model: { current(): MonitoredModel };
  sink: MonitorSink;
  window: WindowSpecInput;
  /** Upstream partitions of each input stream (the watermark waits for each). */
  sourcePartitions: number;
  /** A source silent this long (processing time) no longer holds the watermark back. */
  idleMs?: number;
  drift?: DriftConfig;
  driftHysteresis: HysteresisConfig;
  performance: PerformanceBounds;
  performanceHysteresis: HysteresisConfig;
  now?: () => number;
}

type Kind = MonitorObservation["kind"];

export function driftMonitorProcessor(o: DriftMonitorOptions): Processor<MonitorStateValue> {
  const spec = parseWindowSpec(o.window);
  const clockConfig: WindowClockConfig = { spec, expectedSources: o.sourcePartitions, idleMs: o.idleMs ?? 60_000 };
  const driftConfig = o.drift ?? DEFAULT_DRIFT_CONFIG;
  const now = o.now ?? Date.now;
  const log = createLogger("drift-monitor");
  const gauges = new PerformanceGauges();
  /** The version judged in the previous batch (memory only): its reference decodes its open panes. */
  let judged: MonitoredModel | null = null;

  const skip = (kind: Kind, reason: string) => monitorRowsSkipped.inc({ kind, reason });

  return {
    name: o.name ?? "edgeflow-monitor",
    inputs: [o.observations as Stream<unknown>],
    outputs: { events: o.events as Stream<unknown> },
    async process(records, ctx: ProcessorContext<MonitorStateValue>) {
      const model = o.model.current();
      const t = now();
      const panes = new PaneCache(ctx.state);
      let meta: MonitorMeta | null = null;
      const points: MonitorPoint[] = [];
      for (const r of records as ReadonlyArray<InputRecord<MonitorObservation>>) {
        const row = r.value;
        if (row.model !== model.name) {
          skip(row.kind, "other_model");
          continue;
        }
        meta ??= loadMeta(ctx, model, panes, points, t);
        if (row.kind === "tick") continue;
        const source = String(row.sourcePartition);
        if (row.kind === "features") {
          if (row.specHash !== model.featureSpecHash) {
            skip("features", "spec_mismatch");
            continue;
          }
          const placed = placeRow(meta.clocks.features, row.time, source, t, clockConfig);
          if (placed.late) {
            skip("features", "late");
            continue;
          }
          for (const c of model.columns) {
            const acc = panes.accumulator(featurePaneKey(model.name, placed.paneStart, c.feature), model.reference.features.get(c.feature)!, true)!;
            const v = row.values[c.index];
            if (acc.kind === "numeric") acc.add(v);
            else acc.add(v === undefined || Number.isNaN(v) ? null : v);
          }
          meta.paneRows[placed.paneStart] = (meta.paneRows[placed.paneStart] ?? 0) + 1;
        } else if (row.kind === "prediction") {
          if (row.version !== model.version || row.prediction === null) {
            skip("prediction", "other_version");
            continue;
          }
          const placed = placeRow(meta.clocks.prediction, row.time, source, t, clockConfig);
          if (placed.late) {
            skip("prediction", "late");
            continue;
          }
          const acc = panes.accumulator(predictionPaneKey(model.name, placed.paneStart), model.reference.prediction, true) as NumericAccumulator;
          acc.add(row.prediction);
        } else if (row.kind === "outcome") {
          if (row.prediction === null || row.actual === null || row.version === null) continue;
          const placed = placeRow(meta.clocks.outcome, row.time, source, t, clockConfig);
          if (placed.late) {
            skip("outcome", "late");
            continue;
          }
          const byVersion = panes.performance(outcomePaneKey(model.name, placed.paneStart), true)!;
          addOutcome((byVersion[row.version] ??= newPerformance()), row.prediction, row.actual);
        }
      }
      judged = model;
      if (!meta) return;
      closeFeatureWindows(ctx, model, meta, panes, points, t);
      closePredictionWindows(model, meta, panes, points, t);
      closeOutcomeWindows(ctx, model, meta, panes, points, t);
      // Points before the commit: a failed write fails the batch, which is retried whole.
      await o.sink.write(points);
      panes.flush();
      ctx.state.put(metaKey(model.name), meta);
    },
  };

  /**
   * The model's meta. When the champion changed since the panes were built, the previous
   * version's open windows are closed at once with what they hold (written as that version's,
   * partial: their time had not come) if its reference is still at hand, else dropped and
   * counted; windows then restart on the new reference.
   */
  function loadMeta(ctx: ProcessorContext<MonitorStateValue>, model: MonitoredModel, panes: PaneCache, points: MonitorPoint[], t: number): MonitorMeta {
    const stored = ctx.state.get(metaKey(model.name)) as MonitorMeta | undefined;
    const meta = stored ? structuredClone(stored) : newMeta();
    if (meta.version !== model.version) {
      const previous = judged !== null && judged.name === model.name && judged.version === meta.version ? judged : null;
      if (previous) {
        const featureClock = structuredClone(meta.clocks.features);
        evaluateFeatureWindows(ctx, previous, meta, panes, points, advance(featureClock, t, clockConfig, Infinity).windows, true);
        const predictionClock = structuredClone(meta.clocks.prediction);
        evaluatePredictionWindows(previous, panes, points, advance(predictionClock, t, clockConfig, Infinity).windows);
      }
      const dropped = [...clearPanes(meta.clocks.features).flatMap((p) => meta.features.map((f) => featurePaneKey(model.name, p, f)))];
      dropped.push(...clearPanes(meta.clocks.prediction).map((p) => predictionPaneKey(model.name, p)));
      for (const key of dropped) panes.delete(key);
      if (meta.version !== null) {
        if (!previous) monitorPanesDiscarded.inc({ model: model.name }, dropped.length);
        log.info("champion changed: drift windows restart on the new reference", {
          model: model.name,
          from: meta.version,
          to: model.version,
          openPanes: dropped.length,
          openWindows: previous ? "closed early, written as partial" : "dropped (previous reference not in memory)",
        });
        meta.resetAt = meta.clocks.features.watermark;
      }
      meta.version = model.version;
      meta.features = model.columns.map((c) => c.feature);
      meta.paneRows = {};
      meta.drift = { armed: true, breaching: 0, clean: 0 };
    }
    return meta;
  }

  function closeFeatureWindows(ctx: ProcessorContext<MonitorStateValue>, model: MonitoredModel, meta: MonitorMeta, panes: PaneCache, points: MonitorPoint[], t: number): void {
    const closed = advance(meta.clocks.features, t, clockConfig);
    evaluateFeatureWindows(ctx, model, meta, panes, points, closed.windows, false);
    for (const p of closed.expiredPanes) {
      for (const f of meta.features) panes.delete(featurePaneKey(model.name, p, f));
      delete meta.paneRows[p];
    }
  }

  function evaluateFeatureWindows(
    ctx: ProcessorContext<MonitorStateValue>,
    model: MonitoredModel,
    meta: MonitorMeta,
    panes: PaneCache,
    points: MonitorPoint[],
    windows: ClosedWindow[],
    early: boolean,
  ): void {
    for (const w of windows) {
      const acc = model.reference.createAccumulator();
      for (const p of w.panes) {
        for (const c of model.columns) {
          const pane = panes.accumulator(featurePaneKey(model.name, p, c.feature), model.reference.features.get(c.feature)!, false);
          const into = acc.features.get(c.feature)!;
          if (pane?.kind === "numeric" && into.kind === "numeric") into.merge(pane);
          else if (pane?.kind === "categorical" && into.kind === "categorical") into.merge(pane);
        }
        acc.rows += meta.paneRows[p] ?? 0;
      }
      const drift = evaluateDataset(acc, driftConfig);
      const partial = early || (meta.resetAt !== null && w.start < meta.resetAt);
      const id = { model: model.name, version: model.version, start: w.start, end: w.end };
      points.push(...featureDriftPoints(id, drift, { lateRows: meta.clocks.features.lateRows, partial }));
      driftDatasetShare.set({ model: model.name, version: model.version }, drift.driftedShare);
      monitorWindows.inc({ model: model.name, kind: "features" });
      if (partial) continue;
      const step = stepHysteresis(meta.drift, drift.drifted, o.driftHysteresis);
      meta.drift = step.state;
      if (step.fire) {
        const drifted = drift.features.filter((f) => f.drifted).map((f) => f.feature);
        emit(ctx, {
          type: "dataset_drift",
          model: model.name,
          version: model.version,
          w,
          consecutiveWindows: step.state.breaching,
          driftedShare: drift.driftedShare,
          driftedFeatures: drifted,
          rows: drift.rows,
          reason: `${drifted.length} of ${drift.evaluatedFeatures} features drifted (share ${drift.driftedShare.toFixed(2)}) for ${step.state.breaching} consecutive windows`,
        });
      }
    }
  }

  function closePredictionWindows(model: MonitoredModel, meta: MonitorMeta, panes: PaneCache, points: MonitorPoint[], t: number): void {
    const closed = advance(meta.clocks.prediction, t, clockConfig);
    evaluatePredictionWindows(model, panes, points, closed.windows);
    for (const p of closed.expiredPanes) panes.delete(predictionPaneKey(model.name, p));
  }

  function evaluatePredictionWindows(model: MonitoredModel, panes: PaneCache, points: MonitorPoint[], windows: ClosedWindow[]): void {
    for (const w of windows) {
      const acc = new NumericAccumulator(model.reference.prediction);
      for (const p of w.panes) {
        const pane = panes.accumulator(predictionPaneKey(model.name, p), model.reference.prediction, false);
        if (pane?.kind === "numeric") acc.merge(pane);
      }
      const drift = evaluateNumeric(acc, driftConfig);
      if (drift) points.push(...predictionDriftPoints({ model: model.name, version: model.version, start: w.start, end: w.end }, drift));
      monitorWindows.inc({ model: model.name, kind: "prediction" });
    }
  }

  function closeOutcomeWindows(ctx: ProcessorContext<MonitorStateValue>, model: MonitoredModel, meta: MonitorMeta, panes: PaneCache, points: MonitorPoint[], t: number): void {
    const closed = advance(meta.clocks.outcome, t, clockConfig);
    if (meta.degradationVersion !== model.version) {
      meta.degradationVersion = model.version;
      meta.degradation = { armed: true, breaching: 0, clean: 0 };
    }
    for (const w of closed.windows) {
      const merged: Record<string, ReturnType<typeof newPerformance>> = {};
      for (const p of w.panes) {
        for (const [version, s] of Object.entries(panes.performance(outcomePaneKey(model.name, p), false) ?? {})) {
          mergePerformance((merged[version] ??= newPerformance()), s);
        }
      }
      for (const [version, s] of Object.entries(merged)) {
        const m = performanceMetrics(s);
        const champion = version === model.version;
        const verdict = champion ? judgePerformance(m, o.performance) : ({ judged: false, reason: "not the champion" } as const);
        points.push(performancePoint({ model: model.name, version, start: w.start, end: w.end }, m, verdict));
        gauges.report(model.name, version, m, champion);
        monitorWindows.inc({ model: model.name, kind: "outcome" });
        if (!champion || !verdict.judged) continue;
        const step = stepHysteresis(meta.degradation, verdict.degraded, o.performanceHysteresis);
        meta.degradation = step.state;
        if (step.fire) {
          emit(ctx, {
            type: "performance_degradation",
            model: model.name,
            version,
            w,
            consecutiveWindows: step.state.breaching,
            rmse: m.rmse,
            mae: m.mae,
            r2: Number.isFinite(m.r2) ? m.r2 : null,
            rows: m.n,
            reason: `${verdict.reasons.join(" and ")} for ${step.state.breaching} consecutive windows`,
          });
        }
      }
    }
    for (const p of closed.expiredPanes) panes.delete(outcomePaneKey(model.name, p));
  }

  function emit(ctx: ProcessorContext<MonitorStateValue>, e: DriftEventFields): void {
    const event = buildDriftEvent(e, now());
    ctx.emit("events", e.model, event);
    driftEvents.inc({ model: e.model, type: e.type });
    log.info("drift event", { eventId: event.eventId, type: event.type, model: event.model, version: event.version, windowStart: new Date(event.windowStart).toISOString(), reason: event.reason });
  }
}
