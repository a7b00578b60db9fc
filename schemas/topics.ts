// Every Kafka topic name in one place. Per-use-case topics carry the use case in their
// name; the prefix lets several deployments share one cluster.

export interface Topics {
  events: string;
  features: string;
  predictions: string;
  outcomes: string;
  drift: string;
  modelEvents: string;
  retrainRuns: string;
  dlq: string;
}

export const DEFAULT_TOPIC_PREFIX = "edgeflow";

export function topicsFor(useCase: string, prefix: string = DEFAULT_TOPIC_PREFIX): Topics {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(useCase)) {
    throw new Error(`use case name "${useCase}" must be lowercase letters, digits and dashes`);
  }
  const p = prefix.length > 0 ? `${prefix}.` : "";
  return {
    events: `${p}events.${useCase}`,
    features: `${p}features.${useCase}`,
    predictions: `${p}predictions.${useCase}`,
    outcomes: `${p}outcomes.${useCase}`,
    drift: `${p}drift`,
    modelEvents: `${p}model-events`,
    retrainRuns: `${p}retrain-runs`,
    dlq: `${p}dlq`,
  };
}
