// The runtimes processors run on, and what they share: logging and the Kafka client.
export * from "./log.ts";
export * from "./kafka/client.ts";
