import { describe, expect, it } from "vitest";
import { INITIAL_HYSTERESIS, stepHysteresis, type HysteresisConfig } from "../../../services/monitor/hysteresis.ts";

function run(verdicts: boolean[], config: HysteresisConfig): number[] {
  let state = INITIAL_HYSTERESIS;
  const fired: number[] = [];
  verdicts.forEach((breached, i) => {
    const step = stepHysteresis(state, breached, config);
    state = step.state;
    if (step.fire) fired.push(i);
  });
  return fired;
}

const D = true;
const C = false;

describe("drift hysteresis", () => {
  it("fires on the window that completes N consecutive drifted windows, not before", () => {
    expect(run([C, D, D, D], { trigger: 3, rearm: 2 })).toEqual([3]);
    expect(run([D, D], { trigger: 3, rearm: 2 })).toEqual([]);
  });

  it("fires once per episode however long the drift lasts", () => {
    expect(run([D, D, D, D, D, D, D, D, D, D], { trigger: 3, rearm: 2 })).toEqual([2]);
  });

  it("does not count drifted windows interrupted by a clean one as consecutive", () => {
    expect(run([D, D, C, D, D, C, D], { trigger: 3, rearm: 2 })).toEqual([]);
  });

  it("stays disarmed after one clean window and re-arms only after M clean windows", () => {
    // episode 1 fires at 2; one clean window (5) is not enough to re-arm, so 6..8 stay silent;
    // two clean windows (9, 10) re-arm; 11..13 fire again at 13.
    const verdicts = [D, D, D, D, D, C, D, D, D, C, C, D, D, D];
    expect(run(verdicts, { trigger: 3, rearm: 2 })).toEqual([2, 13]);
  });

  it("with N = 1 and M = 1 fires on every drifted window that follows a clean one", () => {
    expect(run([D, D, C, D, C, C, D], { trigger: 1, rearm: 1 })).toEqual([0, 3, 6]);
  });

  it("does not modify the state it is given", () => {
    const state = { armed: true, breaching: 2, clean: 0 };
    const step = stepHysteresis(state, true, { trigger: 3, rearm: 1 });
    expect(state).toEqual({ armed: true, breaching: 2, clean: 0 });
    expect(step).toEqual({ state: { armed: false, breaching: 3, clean: 0 }, fire: true });
  });
});
