// Metrics every runtime reports, on prom-client's default registry (served by each
// process's /metrics). Names follow edgeflow_<area>_<what>_<unit>.
import { Counter, Histogram, register } from "prom-client";

function counter(name: string, help: string, labelNames: string[]): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

function histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram {
  return (register.getSingleMetric(name) as Histogram | undefined) ?? new Histogram({ name, help, labelNames, buckets });
}

export const streamRecords = counter("edgeflow_stream_records_total", "Input records processed, by processor", ["processor", "runtime"]);
export const streamEmitted = counter("edgeflow_stream_emitted_total", "Output records committed, by processor and output", ["processor", "output", "runtime"]);
export const dlqMessages = counter("edgeflow_dlq_messages_total", "Messages sent to the dead-letter topic, by processor and reason code", ["processor", "code", "runtime"]);
export const batchDuration = histogram(
  "edgeflow_stream_batch_duration_seconds",
  "Time to process and commit one input batch",
  ["processor", "runtime"],
  [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
);
export const batchAborts = counter("edgeflow_stream_batch_aborts_total", "Batches whose transaction was aborted and retried", ["processor", "runtime"]);
