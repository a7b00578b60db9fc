// The one place edgeflow loads kafkajs from. Importing it installs two fixes first
// (kafkajs-fixes.ts), before kafkajs' producer module captures the code they replace.
import "./kafkajs-fixes.ts";

export { AssignerProtocol, Kafka, logLevel, Partitioners } from "kafkajs";
export { fastDefaultPartitioner, kafkajsFixesActive, murmur2 } from "./kafkajs-fixes.ts";
