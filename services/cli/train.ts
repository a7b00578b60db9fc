// `edgeflow train`: Paris sample → training snapshot (the stream's feature functions) →
// Python trainer → registered version → gate → champion.
import { registryConfig, openRegistry } from "../registry/index.ts";
import { trainBikeModel } from "../retrainer/train-bike.ts";
import { numberOption, parseArgs, stringOption, UsageError } from "./args.ts";

export const TRAIN_USAGE = `usage: edgeflow train [--name bike-next-hour] [--train-to ISO] [--test-from ISO] [--test-to ISO]
                      [--from ISO] [--to ISO] [--trials N] [--candidates ridge,random_forest,lightgbm]
                      [--promote gate|always|never] [--json]
defaults: train before 2021-06-01, test 2021-06-01 … 2021-09-10 (the Paris sample), promote if the gate agrees`;

export async function trainCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(["json"]));
  const promote = stringOption(args, "promote") ?? "gate";
  if (!["gate", "always", "never"].includes(promote)) throw new UsageError(`--promote must be gate, always or never`);
  const registry = openRegistry(registryConfig());
  try {
    const result = await trainBikeModel({
      registry,
      name: stringOption(args, "name"),
      from: stringOption(args, "from"),
      to: stringOption(args, "to"),
      trainTo: stringOption(args, "train-to") ?? "2021-06-01T00:00:00Z",
      testFrom: stringOption(args, "test-from") ?? "2021-06-01T00:00:00Z",
      testTo: stringOption(args, "test-to") ?? "2021-09-10T00:00:00Z",
      trials: numberOption(args, "trials"),
      candidates: stringOption(args, "candidates")?.split(","),
      promote: promote as "gate" | "always" | "never",
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    const card = result.version.card;
    if (args.options.has("json")) {
      process.stdout.write(`${JSON.stringify({ name: card.name, version: result.version.version, promoted: result.promoted, metrics: card.metrics })}\n`);
    } else {
      const table = [
        ...card.metrics.candidates.map((c) => [c.name, c.metrics]),
        ...card.metrics.baselines.map((b) => [b.name, b.metrics]),
      ] as Array<[string, Record<string, number>]>;
      process.stdout.write(`${card.name} v${result.version.version}: chose ${card.chosen.name}${result.promoted ? ", now champion" : ", not promoted"}\n`);
      process.stdout.write(`${"model".padEnd(18)}${"rmse".padStart(10)}${"mae".padStart(10)}${"r2".padStart(10)}\n`);
      for (const [name, m] of table) {
        process.stdout.write(`${name.padEnd(18)}${fmt(m.rmse).padStart(10)}${fmt(m.mae).padStart(10)}${fmt(m.r2).padStart(10)}\n`);
      }
    }
    return 0;
  } finally {
    await registry.close();
  }
}

function fmt(v: number | undefined): string {
  return v === undefined ? "-" : v.toFixed(3);
}
