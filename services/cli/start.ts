// `edgeflow start` (what `npm start` runs): the whole loop on the embedded runtime over the
// real Paris sample — events → features → scorer → outcomes — with the registry's champion
// (trained first if there is none), hot-swapping when the champion changes, printing
// progress and the running RMSE / MAE / R² of the forecasts against what actually happened.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { edgeflowHome, type BikeCountEvent } from "../../schemas/index.ts";
import { bikeStreams } from "../../examples/bike-traffic/streams.ts";
import { PARIS_SAMPLE_ROWS, readParisEvents } from "../../examples/bike-traffic/dataset.ts";
import { BIKE_FEATURE_SPEC, bikeActualFromFeatures, bikeFeatureProcessor } from "../../stream/features/index.ts";
import { RegressionMetrics, outcomeJoiner } from "../../stream/outcomes/index.ts";
import { EmbeddedRuntime } from "../../stream/runtime/index.ts";
import { ModelHolder, scoringProcessor } from "../../stream/scoring/index.ts";
import { CHAMPION, openRegistry, registryConfig, type ModelRegistry } from "../registry/index.ts";
import { trainBikeModel } from "../retrainer/train-bike.ts";
import { numberOption, parseArgs, stringOption } from "./args.ts";

export const START_USAGE = `usage: edgeflow start [--name bike-next-hour] [--fresh] [--limit N] [--chunk 5000]
  --fresh   forget the previous run's embedded state and replay from the first event
  --limit   replay only the first N events of the sample`;

export async function startCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(["fresh"]));
  const name = stringOption(args, "name") ?? "bike-next-hour";
  const limit = numberOption(args, "limit") ?? PARIS_SAMPLE_ROWS;
  const chunk = numberOption(args, "chunk") ?? 5_000;
  const home = edgeflowHome();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const registry = openRegistry(registryConfig());
  try {
    await ensureChampion(registry, name, say);
    const dir = join(home, "embedded", "bike-traffic");
    if (args.options.has("fresh")) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return await runLoop({ registry, name, home, dir, limit, chunk, say });
  } finally {
    await registry.close();
  }
}

async function ensureChampion(registry: ModelRegistry, name: string, say: (l: string) => void): Promise<void> {
  if (await registry.get(name, CHAMPION).catch(() => null)) return;
  say(`no champion for ${name} in the registry (${registry.location}): training one on the Paris sample first`);
  const result = await trainBikeModel({
    registry,
    name,
    trainTo: "2021-06-01T00:00:00Z",
    testFrom: "2021-06-01T00:00:00Z",
    testTo: "2021-09-10T00:00:00Z",
    promote: "always",
    progress: say,
  });
  say(`trained ${name} v${result.version.version} (${result.trained.chosen}) in ${result.trained.seconds.toFixed(0)} s`);
}

interface LoopOptions {
  registry: ModelRegistry;
  name: string;
  home: string;
  dir: string;
  limit: number;
  chunk: number;
  say: (line: string) => void;
}

async function runLoop(o: LoopOptions): Promise<number> {
  const { topics, events, features, predictions, outcomes } = await bikeStreams(
    process.env.EDGEFLOW_TOPIC_PREFIX ?? "edgeflow",
    process.env.SCHEMA_REGISTRY_URL ?? "mock://",
  );

  const serving = async () => {
    const champion = await o.registry.get(o.name, CHAMPION);
    const dest = join(o.home, "serving", o.name, champion.version);
    return (await o.registry.download(o.name, CHAMPION, dest)).dir;
  };
  const models = await ModelHolder.fromFolder(await serving(), BIKE_FEATURE_SPEC.hash);
  o.say(`serving ${models.current().name} v${models.current().version} (${models.current().card.chosen.name}, test rmse ${models.current().card.metrics.test.rmse?.toFixed(2)})`);

  const rt = EmbeddedRuntime.open({ dir: o.dir, dlqTopic: topics.dlq });
  rt.add(bikeFeatureProcessor({ events, features }));
  rt.add(scoringProcessor({ features, predictions, models }));
  rt.add(outcomeJoiner({ predictions, actuals: features, outcomes, actualOf: bikeActualFromFeatures }));

  // Resume: events already in the embedded log are not replayed again.
  let already = 0;
  for (let pos = 0; ; ) {
    const batch = rt.read(topics.events, pos, 50_000);
    if (batch.length === 0) break;
    already += batch.length;
    pos = batch.at(-1)!.next;
  }
  if (already > 0) o.say(`resuming: ${already} events already replayed into ${o.dir} (use --fresh to start over)`);

  const overall = new RegressionMetrics();
  const byVersion = new Map<string, RegressionMetrics>();
  let outcomePos = 0;
  const readOutcomes = async () => {
    for (;;) {
      const batch = rt.read(topics.outcomes, outcomePos, 20_000);
      if (batch.length === 0) return;
      for (const r of batch) {
        const out = await outcomes.codec.deserialize(r.value!);
        overall.add(out.prediction, out.actual);
        const m = byVersion.get(out.version) ?? new RegressionMetrics();
        m.add(out.prediction, out.actual);
        byVersion.set(out.version, m);
      }
      outcomePos = batch.at(-1)!.next;
    }
  };

  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let lastChampionCheck = Date.now();
  const started = Date.now();
  let seen = 0;
  let produced = 0;
  let pending: BikeCountEvent[] = [];
  const flush = async () => {
    for (const e of pending) await rt.produce(events, e.counterId, e, Date.now());
    produced += pending.length;
    pending = [];
    await rt.drain();
    await readOutcomes();
    const m = overall.snapshot();
    const rate = (produced / Math.max(1, (Date.now() - started) / 1000)).toFixed(0);
    o.say(
      `events ${already + produced}/${o.limit}  ${rate} ev/s  outcomes ${m.n}  rmse ${m.rmse.toFixed(2)}  mae ${m.mae.toFixed(2)}  r2 ${m.r2.toFixed(4)}  model v${models.current().version}`,
    );
    if (Date.now() - lastChampionCheck > 5_000) {
      lastChampionCheck = Date.now();
      const champion = await o.registry.get(o.name, CHAMPION).catch(() => null);
      if (champion && champion.version !== models.current().version) {
        await models.swapToFolder(await serving()).then(
          (m) => o.say(`champion changed: now serving v${m.version}`),
          (e: unknown) => o.say(`champion v${champion.version} refused, still serving v${models.current().version}: ${(e as Error).message}`),
        );
      }
    }
  };
  for await (const e of readParisEvents()) {
    if (stop) break;
    seen += 1;
    if (seen <= already) continue;
    if (seen > o.limit) break;
    pending.push(e);
    if (pending.length >= o.chunk) await flush();
  }
  if (pending.length > 0 || produced === 0) await flush();
  await rt.stop();

  const m = overall.snapshot();
  o.say(`done: ${produced} events replayed in ${((Date.now() - started) / 1000).toFixed(1)} s; ${m.n} forecasts scored against the actual counts`);
  for (const [version, vm] of byVersion) {
    const s = vm.snapshot();
    o.say(`  ${o.name} v${version}: n ${s.n}  rmse ${s.rmse.toFixed(2)}  mae ${s.mae.toFixed(2)}  r2 ${s.r2.toFixed(4)}`);
  }
  process.stdout.write(`${JSON.stringify({ events: produced, outcomes: m.n, rmse: m.rmse, mae: m.mae, r2: m.r2 })}\n`);
  return 0;
}
