// The drift and accuracy monitor: the re-key and monitor processors, their pure parts
// (window clock, hysteresis, windowed metrics), the InfluxDB sink and the drift report; it
// follows the champion with the registry's ChampionWatch. main.ts runs it as a service.
export * from "./errors.ts";
export * from "./hysteresis.ts";
export * from "./window-clock.ts";
export * from "./performance.ts";
export * from "./points.ts";
export * from "./accumulator-codec.ts";
export * from "./monitored-model.ts";
export { InfluxSink, type InfluxSinkOptions } from "./influx-sink.ts";
export { monitorRekeyProcessor, type MonitorRekeyOptions } from "./rekey-processor.ts";
export { driftMonitorProcessor, type DriftMonitorOptions } from "./monitor-processor.ts";
export { monitorConfig, monitorSettings, MonitorEnv, type MonitorSettings } from "./config.ts";
export { startMonitor, type RunningMonitor, type MonitorDeps } from "./monitor.ts";
export { pipelineStreams, observationsTopic, type PipelineStreams } from "./streams.ts";
export { kafkaTopicScanner, embeddedTopicScanner, describeRanges, type TopicScanner, type ScanResult, type ScannedRange } from "./topic-scan.ts";
export { buildDriftEvent, type DriftEventFields } from "./drift-event-builder.ts";
