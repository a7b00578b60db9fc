// `edgeflow drift report --from --to [--out report.html]`: the feature vectors the stream
// emitted for target hours in [from, to) — read from Kafka when KAFKA_BROKERS is set, else
// from the embedded runtime's directory that `edgeflow start` writes — against a model
// version's reference (the champion unless --version), judged as the monitor judges a window
// (EDGEFLOW_DRIFT_* settings), written as one self-contained HTML page.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRegistryClient, edgeflowHome, parseEnv, type FeatureVector } from "../../schemas/index.ts";
import { evaluateDataset } from "../../stream/drift/index.ts";
import { createKafka } from "../../stream/runtime/index.ts";
import { CHAMPION, openRegistry, registryConfig } from "../registry/index.ts";
import { parseArgs, stringOption, UsageError } from "../cli/args.ts";
import { DriftJudgementEnv, driftConfigOf } from "./config.ts";
import { ReportInputEmpty } from "./errors.ts";
import { loadMonitoredModel } from "./monitored-model.ts";
import { renderDriftReport } from "./report.ts";
import { pipelineStreams } from "./streams.ts";
import { describeRanges, embeddedTopicScanner, kafkaTopicScanner } from "./topic-scan.ts";

export const DRIFT_USAGE = `usage: edgeflow drift report --from ISO --to ISO [--out report.html] [--name bike-next-hour] [--version champion|N] [--dir DIR]
  rows: the features topic on Kafka when KAFKA_BROKERS is set, else the embedded runtime in DIR
        (default $EDGEFLOW_HOME/embedded/bike-traffic, where \`edgeflow start\` writes)
  judged with EDGEFLOW_DRIFT_METHOD / _THRESHOLD / _SHARE, as the monitor judges a window`;

function isoOption(args: ReturnType<typeof parseArgs>, name: string): number {
  const v = stringOption(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required (an ISO date or date-time, e.g. 2020-11-02)`);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--${name} must be an ISO date or date-time, got "${v}"`);
  return t;
}

export async function driftCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "report") throw new UsageError(`unknown subcommand "${sub ?? ""}"\n${DRIFT_USAGE}`);
  const args = parseArgs(rest);
  const from = isoOption(args, "from");
  const to = isoOption(args, "to");
  if (to <= from) throw new UsageError("--to must be after --from");
  const name = stringOption(args, "name") ?? process.env.EDGEFLOW_MODEL_NAME ?? "bike-next-hour";
  const version = stringOption(args, "version") ?? CHAMPION;
  const out = resolve(stringOption(args, "out") ?? `drift-report-${new Date(from).toISOString().slice(0, 10)}-${new Date(to).toISOString().slice(0, 10)}.html`);
  const judgement = parseEnv(DriftJudgementEnv);
  const prefix = process.env.EDGEFLOW_TOPIC_PREFIX ?? "edgeflow";
  const useCase = process.env.EDGEFLOW_USE_CASE ?? "bike-traffic";
  const brokers = (process.env.KAFKA_BROKERS ?? "").split(",").map((b) => b.trim()).filter(Boolean);

  const registry = openRegistry(registryConfig());
  const tmp = mkdtempSync(join(tmpdir(), "edgeflow-report-"));
  try {
    const { dir } = await registry.download(name, version, join(tmp, "model"));
    const model = await loadMonitoredModel(dir);
    const streams = await pipelineStreams(createRegistryClient(process.env.SCHEMA_REGISTRY_URL ?? "mock://"), prefix, useCase);
    const embeddedDir = stringOption(args, "dir") ?? join(edgeflowHome(), "embedded", useCase);
    const scanner = brokers.length > 0 ? kafkaTopicScanner(createKafka({ brokers, clientId: "edgeflow-drift-report" })) : embeddedTopicScanner(embeddedDir);
    const acc = model.reference.createAccumulator();
    let skippedSpec = 0;
    const scan = await scanner.scan(streams.features, (f: FeatureVector) => {
      if (!f.complete || f.targetTime < from || f.targetTime >= to) return;
      if (f.specHash !== model.featureSpecHash) {
        skippedSpec += 1;
        return;
      }
      for (const c of model.columns) {
        const a = acc.features.get(c.feature)!;
        const v = f.values[c.index];
        if (a.kind === "numeric") a.add(v);
        else a.add(v === undefined || Number.isNaN(v) ? null : v);
      }
      acc.rows += 1;
    });
    const source = scanner.kind === "kafka" ? `Kafka ${describeRanges(scan.ranges)}` : `embedded runtime ${embeddedDir}`;
    if (acc.rows === 0) {
      throw new ReportInputEmpty(
        `no complete feature vector for ${name} v${model.version} with a target hour in ${new Date(from).toISOString()} .. ${new Date(to).toISOString()} (read ${scan.records} from ${source}${skippedSpec ? `; ${skippedSpec} had another feature spec` : ""})`,
      );
    }
    const drift = evaluateDataset(acc, driftConfigOf(judgement));
    writeFileSync(out, renderDriftReport({ model: name, version: model.version, from, to, source, accumulator: acc, drift, notMonitored: model.notMonitored, generatedAt: Date.now() }));
    process.stdout.write(
      `${out}: ${drift.rows} rows, ${drift.driftedFeatures}/${drift.evaluatedFeatures} features drifted (share ${drift.driftedShare.toFixed(2)}) — ${drift.drifted ? "dataset drift" : "no dataset drift"}\n`,
    );
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await registry.close();
  }
}
