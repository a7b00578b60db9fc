// Event-time windows over several upstream partitions, as plain JSON state.
//
// stream/drift's WindowTracker keeps its panes in memory and takes its watermark from the
// largest event time it saw. The monitor's input merges several upstream partitions into one
// (re-keyed by model), and in a replay one partition's batch can run days ahead of another's;
// a watermark from the overall maximum would make the slower partitions' rows late. So this
// clock keeps, like Flink, one high mark per source partition and sets the watermark to
// min over sources − allowed lateness. A source that has not advanced for `idleMs` of
// processing time while others did (or an expected one never seen) stops holding it back,
// so one empty or dead partition cannot stall the monitor forever. Processing time moves
// only when the processor is called: the monitor service sends itself a `tick` observation
// every idleMs / 2 so that idleness is noticed when no data flows. Window assignment (panes of gcd(size, slide),
// windows [start, start + size) aligned to offset + k·slide) is stream/drift's.
//
// The clock owns no values: it says which pane a row goes to and which windows closed (with
// their panes); the caller keeps pane contents in its state store under the pane start.
import { paneStartOf, windowStartsFor, type WindowSpec } from "../../stream/drift/index.ts";

export interface SourceMark {
  /** Largest event time seen from the source. */
  max: number;
  /** Processing time when `max` last advanced. */
  advancedAt: number;
}

export interface WindowClockState {
  sources: Record<string, SourceMark>;
  /** Processing time of the first row; expected sources never seen count as idle after idleMs. */
  startedAt: number | null;
  /** Monotone; null until first computed. */
  watermark: number | null;
  /** Earliest window start not yet emitted; null before any row. */
  nextStart: number | null;
  /** Starts of the panes holding data, ascending. */
  panes: number[];
  lateRows: number;
  partiallyLateRows: number;
}

export interface WindowClockConfig {
  spec: WindowSpec;
  /** Upstream partitions feeding this clock; the watermark waits for each (until idle). */
  expectedSources: number;
  /** Processing time after which a silent source no longer holds the watermark back. */
  idleMs: number;
}

export function newWindowClock(): WindowClockState {
  return { sources: {}, startedAt: null, watermark: null, nextStart: null, panes: [], lateRows: 0, partiallyLateRows: 0 };
}

export type RowPlacement = { late: false; paneStart: number; missedWindows: number } | { late: true; watermark: number };

export interface ClosedWindow {
  start: number;
  end: number;
  /** Pane starts merged into this window (each holding data). */
  panes: number[];
}

export interface CloseResult {
  windows: ClosedWindow[];
  /** Panes no open window needs any more: delete their contents. */
  expiredPanes: number[];
  watermark: number | null;
}

function firstWindowEndingAfter(t: number, spec: WindowSpec): number {
  return (Math.floor((t - spec.sizeMs - spec.offsetMs) / spec.slideMs) + 1) * spec.slideMs + spec.offsetMs;
}

/**
 * Routes one row (mutates `clock`): the pane to add it to, or `late` when every window that
 * holds its time has already been emitted. The watermark does not move here — see `advance`.
 */
export function placeRow(clock: WindowClockState, time: number, source: string, now: number, config: WindowClockConfig): RowPlacement {
  const { spec } = config;
  clock.startedAt ??= now;
  const mark = clock.sources[source];
  if (!mark) clock.sources[source] = { max: time, advancedAt: now };
  else if (time > mark.max) clock.sources[source] = { max: time, advancedAt: now };
  const watermark = clock.watermark ?? -Infinity;
  const starts = windowStartsFor(time, spec);
  const lastStart = starts.at(-1)!;
  if (lastStart + spec.sizeMs <= watermark) {
    clock.lateRows += 1;
    return { late: true, watermark };
  }
  const missedWindows = starts.filter((s) => s + spec.sizeMs <= watermark).length;
  if (missedWindows > 0) clock.partiallyLateRows += 1;
  const firstOpen = firstWindowEndingAfter(Math.max(time, watermark), spec);
  clock.nextStart = clock.nextStart === null ? firstOpen : Math.min(clock.nextStart, firstOpen);
  const paneStart = paneStartOf(time, spec);
  if (!clock.panes.includes(paneStart)) {
    clock.panes.push(paneStart);
    clock.panes.sort((a, b) => a - b);
  }
  return { late: false, paneStart, missedWindows };
}

/**
 * min over active sources of their high mark − lateness, never lower than before. Until
 * `idleMs` after the first row, sources not seen yet (of `expectedSources`) hold it. A source
 * that has not advanced for `idleMs` is idle and does not hold it back while others advance;
 * when every source is idle, the slowest one's mark counts (nothing seen is behind it).
 */
export function currentWatermark(clock: WindowClockState, now: number, config: WindowClockConfig): number | null {
  const marks = Object.values(clock.sources);
  if (marks.length === 0) return clock.watermark;
  const waitingForUnseen = marks.length < config.expectedSources && clock.startedAt !== null && now - clock.startedAt < config.idleMs;
  if (waitingForUnseen) return clock.watermark;
  const active = marks.filter((m) => now - m.advancedAt < config.idleMs);
  const base = Math.min(...(active.length > 0 ? active : marks).map((m) => m.max));
  const candidate = base - config.spec.allowedLatenessMs;
  return clock.watermark === null ? candidate : Math.max(clock.watermark, candidate);
}

/** Moves the watermark (mutates `clock`) and returns the windows that closed, each once, in order. */
export function advance(clock: WindowClockState, now: number, config: WindowClockConfig, explicit?: number): CloseResult {
  let watermark = currentWatermark(clock, now, config);
  if (explicit !== undefined) watermark = watermark === null ? explicit : Math.max(watermark, explicit);
  clock.watermark = watermark;
  if (watermark === null) return { windows: [], expiredPanes: [], watermark };
  const { spec } = config;
  const windows: ClosedWindow[] = [];
  const expiredPanes: number[] = [];
  while (clock.nextStart !== null && clock.nextStart + spec.sizeMs <= watermark) {
    const start: number = clock.nextStart;
    const end = start + spec.sizeMs;
    if (clock.panes.length === 0) {
      if (Number.isFinite(watermark)) clock.nextStart = Math.max(start, firstWindowEndingAfter(watermark, spec));
      break;
    }
    const earliest = clock.panes[0]!;
    if (earliest >= end) {
      // Empty window: jump to the next one that holds a pane or cannot close yet.
      const target = Math.min(firstWindowEndingAfter(earliest, spec), Number.isFinite(watermark) ? firstWindowEndingAfter(watermark, spec) : Infinity);
      clock.nextStart = Math.max(start + spec.slideMs, target);
      continue;
    }
    const panes = clock.panes.filter((p) => p >= start && p < end);
    if (panes.length > 0) windows.push({ start, end, panes });
    clock.nextStart = start + spec.slideMs;
    const keep: number[] = [];
    for (const p of clock.panes) (p < clock.nextStart ? expiredPanes : keep).push(p);
    clock.panes = keep;
  }
  return { windows, expiredPanes, watermark };
}

/** Forgets every pane (the caller drops their contents); the marks and watermark stay. */
export function clearPanes(clock: WindowClockState): number[] {
  const dropped = clock.panes;
  clock.panes = [];
  clock.nextStart = null;
  return dropped;
}
