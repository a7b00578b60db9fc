import { describe, expect, it } from "vitest";
import {
  WindowSpecError,
  WindowTracker,
  paneSize,
  paneStartOf,
  parseWindowSpec,
  windowStartsFor,
  type DriftWindow,
} from "../../../stream/drift/index.ts";

// Pane state for tests: the event times themselves.
const ops = { create: (): number[] => [], merge: (into: number[], from: number[]) => void into.push(...from) };

function feed(tracker: WindowTracker<number[]>, times: number[]): { closed: DriftWindow<number[]>[]; late: number[] } {
  const closed: DriftWindow<number[]>[] = [];
  const late: number[] = [];
  for (const t of times) {
    const o = tracker.observe(t);
    if (o.late) late.push(o.eventTime);
    else o.pane.push(t);
    closed.push(...o.closed);
  }
  return { closed, late };
}

const summary = (ws: DriftWindow<number[]>[]) => ws.map((w) => [w.start, w.end, [...w.state].sort((a, b) => a - b)]);

describe("window assignment", () => {
  it("defaults the slide to the size (tumbling) and rejects impossible specs with a typed error", () => {
    expect(parseWindowSpec({ sizeMs: 60_000 })).toEqual({ sizeMs: 60_000, slideMs: 60_000, allowedLatenessMs: 0, offsetMs: 0 });
    expect(() => parseWindowSpec({ sizeMs: 10, slideMs: 20 })).toThrow(WindowSpecError);
    expect(() => parseWindowSpec({ sizeMs: 0 })).toThrow(WindowSpecError);
    expect(() => parseWindowSpec({ sizeMs: 10, allowedLatenessMs: -1 })).toThrow(WindowSpecError);
    expect(() => parseWindowSpec({ sizeMs: 1.5 })).toThrow(WindowSpecError);
  });

  it("uses panes of gcd(size, slide)", () => {
    expect(paneSize(parseWindowSpec({ sizeMs: 10, slideMs: 4 }))).toBe(2);
    expect(paneSize(parseWindowSpec({ sizeMs: 3_600_000, slideMs: 900_000 }))).toBe(900_000);
    expect(paneSize(parseWindowSpec({ sizeMs: 10 }))).toBe(10);
  });

  it("assigns a time to one tumbling window, start inclusive and end exclusive", () => {
    const spec = parseWindowSpec({ sizeMs: 10 });
    expect(windowStartsFor(25, spec)).toEqual([20]);
    expect(windowStartsFor(20, spec)).toEqual([20]);
    expect(windowStartsFor(19.999, spec)).toEqual([10]);
    expect(windowStartsFor(-1, spec)).toEqual([-10]);
  });

  it("assigns a time to size/slide sliding windows, also when slide does not divide size", () => {
    expect(windowStartsFor(25, parseWindowSpec({ sizeMs: 10, slideMs: 5 }))).toEqual([20, 25]);
    expect(windowStartsFor(24, parseWindowSpec({ sizeMs: 10, slideMs: 5 }))).toEqual([15, 20]);
    expect(windowStartsFor(9, parseWindowSpec({ sizeMs: 10, slideMs: 4 }))).toEqual([0, 4, 8]);
    expect(windowStartsFor(10, parseWindowSpec({ sizeMs: 10, slideMs: 4 }))).toEqual([4, 8]);
    expect(paneStartOf(9, parseWindowSpec({ sizeMs: 10, slideMs: 4 }))).toBe(8);
  });

  it("aligns windows to the offset", () => {
    const spec = parseWindowSpec({ sizeMs: 10, offsetMs: 3 });
    expect(windowStartsFor(12, spec)).toEqual([3]);
    expect(windowStartsFor(13, spec)).toEqual([13]);
    expect(paneStartOf(2, spec)).toBe(-7);
  });
});

describe("WindowTracker", () => {
  it("closes a tumbling window once the watermark passes its end and reports a later event for it as late", () => {
    const tracker = new WindowTracker({ sizeMs: 10 }, ops);
    const { closed, late } = feed(tracker, [1, 5, 12, 3]);
    expect(summary(closed)).toEqual([[0, 10, [1, 5]]]);
    expect(late).toEqual([3]);
    expect(tracker.lateEvents).toBe(1);
    expect(summary(tracker.flush())).toEqual([[10, 20, [12]]]);
  });

  it("waits allowedLateness before closing, so an out-of-order event within it still counts", () => {
    const tracker = new WindowTracker({ sizeMs: 10, allowedLatenessMs: 5 }, ops);
    expect(feed(tracker, [1, 12, 3]).closed).toEqual([]);
    expect(tracker.watermark).toBe(7);
    const { closed, late } = feed(tracker, [16, 2]);
    expect(summary(closed)).toEqual([[0, 10, [1, 3]]]);
    expect(late).toEqual([2]);
  });

  it("merges panes into each sliding window so every value lands in every window holding it", () => {
    const tracker = new WindowTracker({ sizeMs: 10, slideMs: 5 }, ops);
    const { closed } = feed(tracker, [1, 6, 11, 16]);
    expect(summary(closed)).toEqual([
      [-5, 5, [1]],
      [0, 10, [1, 6]],
      [5, 15, [6, 11]],
    ]);
    expect(summary(tracker.flush())).toEqual([
      [10, 20, [11, 16]],
      [15, 25, [16]],
    ]);
  });

  it("adds a partially late event to its open windows and says how many closed windows it missed", () => {
    const tracker = new WindowTracker({ sizeMs: 10, slideMs: 5 }, ops);
    feed(tracker, [1, 12]);
    const o = tracker.observe(8);
    expect(o.late).toBe(false);
    if (!o.late) {
      expect(o.missedWindows).toBe(1);
      o.pane.push(8);
    }
    expect(tracker.partiallyLateEvents).toBe(1);
    expect(summary(tracker.flush())).toEqual([
      [5, 15, [8, 12]],
      [10, 20, [12]],
    ]);
  });

  it("emits no empty windows across a gap in event time", () => {
    const tracker = new WindowTracker({ sizeMs: 10 }, ops);
    const { closed } = feed(tracker, [1, 1_000_000, 1_000_001]);
    expect(summary(closed)).toEqual([[0, 10, [1]]]);
    expect(summary(tracker.flush())).toEqual([[1_000_000, 1_000_010, [1_000_000, 1_000_001]]]);
  });

  it("still emits a window that opened before the first event's, when an earlier event arrives within lateness", () => {
    const tracker = new WindowTracker({ sizeMs: 10, allowedLatenessMs: 50 }, ops);
    const { closed, late } = feed(tracker, [100, 60, 170]);
    expect(late).toEqual([]);
    expect(summary(closed)).toEqual([
      [60, 70, [60]],
      [100, 110, [100]],
    ]);
  });

  it("closes windows on an explicit watermark from an idle source, and never lowers it", () => {
    const tracker = new WindowTracker({ sizeMs: 10 }, ops);
    feed(tracker, [1, 2]);
    expect(summary(tracker.advanceWatermark(10))).toEqual([[0, 10, [1, 2]]]);
    expect(tracker.advanceWatermark(5)).toEqual([]);
    expect(tracker.watermark).toBe(10);
    expect(tracker.observe(9).late).toBe(true);
  });

  it("treats every event after flush as late", () => {
    const tracker = new WindowTracker({ sizeMs: 10 }, ops);
    feed(tracker, [1]);
    expect(tracker.flush()).toHaveLength(1);
    expect(feed(tracker, [50]).late).toEqual([50]);
    expect(tracker.flush()).toEqual([]);
  });

  it("holds a bounded number of panes: size/pane plus lateness/pane, whatever the stream length", () => {
    const hour = 3_600_000;
    const tracker = new WindowTracker({ sizeMs: hour, slideMs: hour / 4, allowedLatenessMs: hour / 2 }, ops);
    let maxPanes = 0;
    let windows = 0;
    for (let t = 0; t < 48 * hour; t += 60_000) {
      const o = tracker.observe(t);
      if (!o.late) o.pane.push(t);
      windows += o.closed.length;
      maxPanes = Math.max(maxPanes, tracker.openPanes);
    }
    expect(maxPanes).toBeLessThanOrEqual(4 + 2 + 1);
    // Watermark ends at 47:29 (last event 47:59 − 30 min): windows ending 0:15, 0:30 … 47:15.
    expect(windows).toBe(189);
  });
});
