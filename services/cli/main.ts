// The edgeflow command line: one entry point, one module per command.
import { ConfigError, EdgeflowError } from "../../schemas/index.ts";
import { keysCommand, serveCommand, SERVE_USAGE, KEYS_USAGE } from "../api/cli.ts";
import { modelsCommand } from "../registry/index.ts";
import { driftCommand, DRIFT_USAGE } from "../monitor/report-command.ts";
import { retrainCommand, RETRAIN_USAGE } from "../retrainer/cli.ts";
import { UsageError } from "./args.ts";
import { produceCommand, PRODUCE_USAGE } from "./produce.ts";
import { startCommand, START_USAGE } from "./start.ts";
import { trainCommand, TRAIN_USAGE } from "./train.ts";

const USAGE = `edgeflow — streaming ML inference on Kafka and Node

usage: edgeflow <command> [options]

commands:
  start     run the whole loop on the embedded runtime over the Paris sample (trains a model first if none)
  produce   publish the Paris sample or synthetic counters with drift scenarios (Kafka or embedded)
  train     build a training snapshot, train candidates, register and gate the new version
  models    list | show | promote | rollback model versions in the registry
  serve     the HTTP scoring API (/v1/predict, Open Inference Protocol v2, /metrics, /docs)
  keys      new | hash API keys for the HTTP API
  drift     report: a self-contained HTML drift report of the features in a time range
  retrain   one retraining run now: recent rows → snapshot → trainer → gate → promote or reject
  help      this text

${START_USAGE}

${TRAIN_USAGE}

${PRODUCE_USAGE}

${SERVE_USAGE}

${KEYS_USAGE}

${DRIFT_USAGE}

${RETRAIN_USAGE}
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  start: startCommand,
  train: trainCommand,
  produce: produceCommand,
  models: (args) => modelsCommand(args),
  serve: serveCommand,
  keys: (args) => keysCommand(args),
  drift: driftCommand,
  retrain: retrainCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`edgeflow: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`edgeflow ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`edgeflow: ${error.message}\n`);
      return 78;
    }
    if (error instanceof EdgeflowError) {
      process.stderr.write(`edgeflow ${name}: ${error.message} [${error.code}]\n`);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`edgeflow: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
