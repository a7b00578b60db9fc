// The runtimes processors run on, and what they share: the processor interface, state,
// dead letters, metrics, logging and the Kafka client.
// First: kafkajs must be loaded through the module that fixes it (kafka/kafkajs-fixes.ts).
export { kafkajsFixesActive, murmur2 } from "./kafka/kafkajs.ts";
export * from "./log.ts";
export * from "./processor.ts";
export * from "./state.ts";
export * from "./fuse.ts";
export * from "./dead-letter.ts";
export * from "./kafka/client.ts";
export * from "./kafka/kafka-runtime.ts";
export { readUntilDone, type ReadUntilDoneOptions } from "./kafka/read-until-done.ts";
export * from "./embedded/embedded-runtime.ts";
export { TopicLog, type LogRecord } from "./embedded/topic-log.ts";
