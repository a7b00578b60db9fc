// Event-time windows for drift monitoring, pure (no clock: time is the events' own).
//
// Windows are [start, start + size), with starts aligned to `offsetMs + k·slide`; tumbling
// when slide = size, sliding (hopping) when slide < size. Values go into panes of length
// gcd(size, slide); a window's state is the merge of its panes, so each value is added once
// however many windows hold it.
//
// Watermark = max event time seen − allowed lateness. A window closes (is emitted, once)
// when its end ≤ watermark. An event whose every window has already closed is *late*: it is
// returned to the caller as such and counted, never added nor silently dropped. An event
// only some of whose windows have closed goes into the open ones and is counted as
// partially late (`missedWindows` tells how many closed windows it missed).
import { z } from "zod";
import { issuesOf } from "../../schemas/index.ts";
import { WindowSpecError } from "./errors.ts";
import { gcd } from "./ks-exact.ts";

export const WindowSpec = z
  .object({
    sizeMs: z.number().int().positive(),
    /** Defaults to sizeMs (tumbling). Must not exceed sizeMs: no gaps between windows. */
    slideMs: z.number().int().positive().optional(),
    allowedLatenessMs: z.number().int().nonnegative().default(0),
    /** Window starts are offsetMs + k·slideMs (e.g. to align daily windows to a time zone). */
    offsetMs: z.number().int().default(0),
  })
  .refine((s) => s.slideMs === undefined || s.slideMs <= s.sizeMs, {
    message: "slideMs must not exceed sizeMs",
    path: ["slideMs"],
  })
  .transform((s) => ({ ...s, slideMs: s.slideMs ?? s.sizeMs }));
export type WindowSpec = z.output<typeof WindowSpec>;
export type WindowSpecInput = z.input<typeof WindowSpec>;

export function parseWindowSpec(input: WindowSpecInput): WindowSpec {
  const parsed = WindowSpec.safeParse(input);
  if (!parsed.success) {
    throw new WindowSpecError(issuesOf(parsed.error).map((i) => `${i.path}: ${i.message}`).join("; "));
  }
  return parsed.data;
}

export function paneSize(spec: WindowSpec): number {
  return gcd(spec.sizeMs, spec.slideMs);
}

/** Start of the pane holding t. */
export function paneStartOf(t: number, spec: WindowSpec): number {
  const p = paneSize(spec);
  return Math.floor((t - spec.offsetMs) / p) * p + spec.offsetMs;
}

/** Start of the last window holding t. */
function lastWindowStart(t: number, spec: WindowSpec): number {
  return Math.floor((t - spec.offsetMs) / spec.slideMs) * spec.slideMs + spec.offsetMs;
}

/** Smallest aligned window start whose window ends after t. */
function firstWindowEndingAfter(t: number, spec: WindowSpec): number {
  return (Math.floor((t - spec.sizeMs - spec.offsetMs) / spec.slideMs) + 1) * spec.slideMs + spec.offsetMs;
}

/** Starts of every window holding t, ascending. */
export function windowStartsFor(t: number, spec: WindowSpec): number[] {
  const starts: number[] = [];
  for (let s = firstWindowEndingAfter(t, spec); s <= lastWindowStart(t, spec); s += spec.slideMs) starts.push(s);
  return starts;
}

export interface DriftWindow<S> {
  start: number;
  end: number;
  /** Merge of the window's non-empty panes. */
  state: S;
  panes: number;
}

export interface PaneOps<S> {
  create(): S;
  merge(into: S, from: S): void;
}

export type Observation<S> =
  | { late: false; pane: S; paneStart: number; missedWindows: number; closed: DriftWindow<S>[] }
  | { late: true; eventTime: number; watermark: number; closed: DriftWindow<S>[] };

export class WindowTracker<S> {
  readonly spec: WindowSpec;
  private readonly panes = new Map<number, S>();
  private maxEventTime = -Infinity;
  private explicitWatermark = -Infinity;
  /** Earliest window start not yet emitted (or skipped as empty); undefined before any event. */
  private nextStart: number | undefined;
  lateEvents = 0;
  partiallyLateEvents = 0;

  constructor(
    spec: WindowSpecInput,
    private readonly ops: PaneOps<S>,
  ) {
    this.spec = parseWindowSpec(spec);
  }

  get watermark(): number {
    return Math.max(this.maxEventTime - this.spec.allowedLatenessMs, this.explicitWatermark);
  }

  /** Open panes held (memory is panes × per-pane state). */
  get openPanes(): number {
    return this.panes.size;
  }

  /**
   * Routes one event: returns the pane to add its values to (or `late`), then advances the
   * watermark and returns the windows that closed. The event's own windows never close here.
   */
  observe(eventTime: number): Observation<S> {
    const spec = this.spec;
    const watermark = this.watermark;
    if (lastWindowStart(eventTime, spec) + spec.sizeMs <= watermark) {
      this.lateEvents += 1;
      return { late: true, eventTime, watermark, closed: [] };
    }
    let missedWindows = 0;
    for (const s of windowStartsFor(eventTime, spec)) if (s + spec.sizeMs <= watermark) missedWindows += 1;
    if (missedWindows > 0) this.partiallyLateEvents += 1;

    // Its first still-open window may lie before nextStart (out-of-order but not late).
    const firstOpen = firstWindowEndingAfter(Math.max(eventTime, watermark), spec);
    this.nextStart = this.nextStart === undefined ? firstOpen : Math.min(this.nextStart, firstOpen);

    const paneStart = paneStartOf(eventTime, spec);
    let pane = this.panes.get(paneStart);
    if (pane === undefined) {
      pane = this.ops.create();
      this.panes.set(paneStart, pane);
    }
    if (eventTime > this.maxEventTime) this.maxEventTime = eventTime;
    return { late: false, pane, paneStart, missedWindows, closed: this.closeUpTo(this.watermark) };
  }

  /** Raises the watermark without an event (idle source); never lowers it. */
  advanceWatermark(watermark: number): DriftWindow<S>[] {
    if (watermark > this.explicitWatermark) this.explicitWatermark = watermark;
    return this.closeUpTo(this.watermark);
  }

  /** End of input: closes every window that holds data. Later events are all late. */
  flush(): DriftWindow<S>[] {
    return this.advanceWatermark(Infinity);
  }

  private closeUpTo(watermark: number): DriftWindow<S>[] {
    const { sizeMs, slideMs } = this.spec;
    const closed: DriftWindow<S>[] = [];
    while (this.nextStart !== undefined && this.nextStart + sizeMs <= watermark) {
      const start: number = this.nextStart;
      const end = start + sizeMs;
      if (this.panes.size === 0) {
        // Nothing buffered: every closable window is empty.
        if (Number.isFinite(watermark)) this.nextStart = Math.max(start, firstWindowEndingAfter(watermark, this.spec));
        break;
      }
      let earliest = Infinity;
      for (const p of this.panes.keys()) if (p < earliest) earliest = p;
      if (earliest >= end) {
        // Empty window: jump to the next window that holds a pane or is not closable yet.
        const target = Math.min(firstWindowEndingAfter(earliest, this.spec), firstWindowEndingAfter(watermark, this.spec));
        this.nextStart = Math.max(start + slideMs, target);
        continue;
      }
      const state = this.ops.create();
      let merged = 0;
      for (const [p, pane] of this.panes) {
        if (p >= start && p < end) {
          this.ops.merge(state, pane);
          merged += 1;
        }
      }
      if (merged > 0) closed.push({ start, end, state, panes: merged });
      this.nextStart = start + slideMs;
      for (const p of [...this.panes.keys()]) if (p < this.nextStart) this.panes.delete(p);
    }
    return closed;
  }
}
