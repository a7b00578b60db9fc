// Hysteresis for the monitor's alarms: an alarm fires once when a condition has held for
// `trigger` consecutive windows, then stays silent (disarmed) however long the condition
// persists, and is re-armed only after `rearm` consecutive windows without it. One episode,
// one event — a drift lasting a month does not launch four retrainings.
export interface HysteresisConfig {
  /** Consecutive breaching windows that fire the alarm (N ≥ 1). */
  trigger: number;
  /** Consecutive clean windows that re-arm it (M ≥ 1). */
  rearm: number;
}

/** Plain JSON, so it lives in a processor's state store. */
export interface HysteresisState {
  armed: boolean;
  /** Consecutive breaching windows up to now. */
  breaching: number;
  /** Consecutive clean windows up to now. */
  clean: number;
}

export const INITIAL_HYSTERESIS: HysteresisState = Object.freeze({ armed: true, breaching: 0, clean: 0 });

export interface HysteresisStep {
  state: HysteresisState;
  /** True exactly once per episode: on the window that completes the run of `trigger`. */
  fire: boolean;
}

/** Folds one window's verdict into the state. Pure: the input state is not modified. */
export function stepHysteresis(state: HysteresisState, breached: boolean, config: HysteresisConfig): HysteresisStep {
  if (breached) {
    const breaching = state.breaching + 1;
    const fire = state.armed && breaching >= config.trigger;
    return { state: { armed: state.armed && !fire, breaching, clean: 0 }, fire };
  }
  const clean = state.clean + 1;
  return { state: { armed: state.armed || clean >= config.rearm, breaching: 0, clean }, fire: false };
}
