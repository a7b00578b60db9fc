// Training snapshots: feature rows joined with the label that followed, written as
// rows.csv + manifest.json (format: docs/trainer.md). The sha256 of rows.csv is the
// snapshot's version; the trainer refuses a snapshot whose bytes do not match it.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import type { FeatureSpec } from "../../schemas/index.ts";

export interface SnapshotRow {
  entityId: string;
  /** Time the label refers to (the forecast's target hour), epoch ms. */
  eventTime: number;
  values: readonly number[];
  label: number;
}

export interface SnapshotManifest {
  id: string;
  sha256: string;
  rows: number;
  from: string;
  to: string;
  task: "regression" | "classification";
  label: string;
  useCase: string;
  featureSpec: FeatureSpec;
  cost?: { fn: number; fp: number };
}

export interface SnapshotOptions {
  dir: string;
  spec: FeatureSpec;
  task: SnapshotManifest["task"];
  label: string;
  useCase: string;
  cost?: SnapshotManifest["cost"];
  onProgress?: (rows: number) => void;
}

function csvCell(v: number): string {
  return Number.isFinite(v) ? String(v) : "";
}

function csvText(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Writes the rows (in the order given) and returns the manifest. Atomic: dir appears whole. */
export async function writeSnapshot(rows: AsyncIterable<SnapshotRow> | Iterable<SnapshotRow>, opts: SnapshotOptions): Promise<SnapshotManifest> {
  const tmp = `${opts.dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const out = createWriteStream(join(tmp, "rows.csv"));
  const hash = createHash("sha256");
  const write = async (text: string): Promise<void> => {
    hash.update(text);
    if (!out.write(text)) await once(out, "drain");
  };
  const width = opts.spec.features.length;
  await write(["entity_id", "event_time", ...opts.spec.features.map((f) => f.name), "label"].join(",") + "\n");
  let n = 0;
  let from = Infinity;
  let to = -Infinity;
  for await (const row of rows) {
    if (row.values.length !== width) {
      throw new Error(`snapshot row for ${row.entityId} has ${row.values.length} values, the spec has ${width}`);
    }
    await write(`${csvText(row.entityId)},${new Date(row.eventTime).toISOString()},${row.values.map(csvCell).join(",")},${csvCell(row.label)}\n`);
    n += 1;
    if (row.eventTime < from) from = row.eventTime;
    if (row.eventTime > to) to = row.eventTime;
    if (opts.onProgress && n % 50_000 === 0) opts.onProgress(n);
  }
  out.end();
  await once(out, "close");
  if (n === 0) throw new Error("snapshot has no rows: nothing to train on");
  const sha256 = hash.digest("hex");
  const manifest: SnapshotManifest = {
    id: `${opts.useCase}-${sha256.slice(0, 12)}`,
    sha256,
    rows: n,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    task: opts.task,
    label: opts.label,
    useCase: opts.useCase,
    featureSpec: opts.spec,
    ...(opts.cost ? { cost: opts.cost } : {}),
  };
  await writeFile(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  await rm(opts.dir, { recursive: true, force: true });
  await rename(tmp, opts.dir);
  return manifest;
}
