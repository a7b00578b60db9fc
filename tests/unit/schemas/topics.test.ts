import { describe, expect, it } from "vitest";
import { topicsFor } from "../../../schemas/index.ts";

describe("topicsFor", () => {
  it("names per-use-case and shared topics under the prefix", () => {
    expect(topicsFor("bike-traffic", "prod")).toEqual({
      events: "prod.events.bike-traffic",
      features: "prod.features.bike-traffic",
      predictions: "prod.predictions.bike-traffic",
      outcomes: "prod.outcomes.bike-traffic",
      drift: "prod.drift",
      modelEvents: "prod.model-events",
      retrainRuns: "prod.retrain-runs",
      dlq: "prod.dlq",
    });
  });

  it("allows an empty prefix", () => {
    expect(topicsFor("credit-scoring", "").events).toBe("events.credit-scoring");
  });

  it("refuses a use case name that is not a safe topic component", () => {
    expect(() => topicsFor("Bike Traffic")).toThrow(/lowercase letters/);
  });
});
