import { describe, expect, it } from "vitest";
import { parseWindowSpec } from "../../../stream/drift/index.ts";
import { advance, newWindowClock, placeRow, type WindowClockConfig } from "../../../services/monitor/window-clock.ts";

const H = 3_600_000;
const config = (over: Partial<WindowClockConfig> = {}): WindowClockConfig => ({
  spec: parseWindowSpec({ sizeMs: 10 * H, allowedLatenessMs: H }),
  expectedSources: 2,
  idleMs: 60_000,
  ...over,
});

describe("window clock over several source partitions", () => {
  it("holds the watermark at the slowest source: a window closes only when every source passed its end + lateness", () => {
    const c = newWindowClock();
    const cfg = config();
    placeRow(c, 2 * H, "0", 0, cfg);
    placeRow(c, 25 * H, "0", 0, cfg); // source 0 runs a day ahead
    expect(advance(c, 0, cfg).windows).toEqual([]); // source 1 not seen yet
    placeRow(c, 3 * H, "1", 1, cfg);
    expect(advance(c, 1, cfg).windows).toEqual([]); // source 1 at 3h: watermark 2h
    // source 1's row at 9h is not late although source 0 is at 25h
    expect(placeRow(c, 9 * H, "1", 2, cfg)).toEqual({ late: false, paneStart: 0, missedWindows: 0 });
    placeRow(c, 11 * H, "1", 3, cfg);
    const closed = advance(c, 3, cfg);
    expect(closed.windows).toEqual([{ start: 0, end: 10 * H, panes: [0] }]);
    expect(closed.watermark).toBe(10 * H);
    expect(closed.expiredPanes).toEqual([0]);
  });

  it("emits each window once, in order, skipping empty ones", () => {
    const c = newWindowClock();
    const cfg = config({ expectedSources: 1 });
    placeRow(c, 1 * H, "0", 0, cfg);
    placeRow(c, 35 * H, "0", 0, cfg);
    const first = advance(c, 0, cfg);
    expect(first.windows.map((w) => w.start)).toEqual([0]);
    expect(advance(c, 0, cfg).windows).toEqual([]);
    placeRow(c, 50 * H, "0", 0, cfg);
    expect(advance(c, 0, cfg).windows.map((w) => w.start)).toEqual([30 * H]);
  });

  it("returns a row whose every window has closed as late and counts it", () => {
    const c = newWindowClock();
    const cfg = config({ expectedSources: 1 });
    placeRow(c, 12 * H, "0", 0, cfg);
    advance(c, 0, cfg); // watermark 11h: window [0, 10h) has nothing, [10h, 20h) open
    placeRow(c, 25 * H, "0", 0, cfg);
    advance(c, 0, cfg); // watermark 24h closes [10h, 20h)
    expect(placeRow(c, 15 * H, "0", 0, cfg)).toEqual({ late: true, watermark: 24 * H });
    expect(c.lateRows).toBe(1);
  });

  it("stops waiting for a source that stayed silent for idleMs of processing time", () => {
    const c = newWindowClock();
    const cfg = config({ idleMs: 1_000 });
    placeRow(c, 2 * H, "0", 0, cfg);
    placeRow(c, 15 * H, "0", 500, cfg);
    expect(advance(c, 500, cfg).windows).toEqual([]); // source 1 never seen, not idle yet
    placeRow(c, 16 * H, "0", 1_500, cfg);
    expect(advance(c, 1_500, cfg).windows.map((w) => w.start)).toEqual([0]);
  });

  it("when every source is idle, lets the slowest one's mark hold the watermark, not the fastest's", () => {
    const c = newWindowClock();
    const cfg = config({ idleMs: 1_000 });
    placeRow(c, 2 * H, "0", 0, cfg);
    placeRow(c, 12 * H, "1", 0, cfg);
    placeRow(c, 30 * H, "0", 100, cfg);
    // both idle at t = 5000: min(30h, 12h) − 1h = 11h closes [0, 10h) only
    expect(advance(c, 5_000, cfg).windows.map((w) => w.start)).toEqual([0]);
    expect(c.watermark).toBe(11 * H);
    // a dead source 1 stops holding the watermark once source 0 advances again
    placeRow(c, 45 * H, "0", 6_000, cfg);
    expect(advance(c, 6_000, cfg).watermark).toBe(44 * H);
  });

  it("merges the panes of a sliding window and keeps a pane until its last window closed", () => {
    const c = newWindowClock();
    const cfg = config({ spec: parseWindowSpec({ sizeMs: 10 * H, slideMs: 5 * H }), expectedSources: 1 });
    for (const t of [1, 6, 11, 16]) placeRow(c, t * H, "0", 0, cfg);
    const closed = advance(c, 0, cfg);
    expect(closed.windows).toEqual([
      { start: -5 * H, end: 5 * H, panes: [0] },
      { start: 0, end: 10 * H, panes: [0, 5 * H] },
      { start: 5 * H, end: 15 * H, panes: [5 * H, 10 * H] },
    ]);
    expect(closed.expiredPanes).toEqual([0, 5 * H]);
    expect(c.panes).toEqual([10 * H, 15 * H]);
  });

  it("survives a JSON round trip (it is processor state)", () => {
    const cfg = config({ expectedSources: 1 });
    const a = newWindowClock();
    placeRow(a, 1 * H, "0", 0, cfg);
    const b = JSON.parse(JSON.stringify(a));
    placeRow(a, 12 * H, "0", 0, cfg);
    placeRow(b, 12 * H, "0", 0, cfg);
    expect(advance(b, 0, cfg)).toEqual(advance(a, 0, cfg));
  });
});
