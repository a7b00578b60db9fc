// What the monitor compares live rows against: a model version's reference profile, tied to
// the feature vector's column order by the version's card.
//
// reference.json as the trainer writes it can hold profiles stream/drift's schema refuses: a
// constant numeric feature (edges [v, next float after v]) and an all-missing one (n = 0).
// docs/drift.md says to profile a constant as categorical or leave it out; this does exactly
// that before parsing — a constant becomes a one-category profile (a value other than the
// constant then lands in "other" and drives χ² / JS up), an empty one is left out and listed
// in `notMonitored` — so one such feature does not stop a whole model from being monitored.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ModelCard, SchemaViolation, issuesOf } from "../../schemas/index.ts";
import { DatasetReference, parseReferenceProfile } from "../../stream/drift/index.ts";
import { ReferenceUnusable } from "./errors.ts";

export interface MonitoredColumn {
  feature: string;
  /** Position of the feature in the feature vector (feature-spec order). */
  index: number;
}

export interface MonitoredModel {
  name: string;
  version: string;
  featureSpecHash: string;
  reference: DatasetReference;
  /** Monitored features with their position in the vector, in the reference's order. */
  columns: MonitoredColumn[];
  notMonitored: Array<{ feature: string; reason: string }>;
}

interface RawProfile {
  kind?: unknown;
  n?: unknown;
  missing?: unknown;
  min?: unknown;
  max?: unknown;
}

/** Rewrites constant numeric profiles as categorical and drops empty ones (see header). */
export function normaliseReference(raw: unknown): { profile: unknown; notMonitored: Array<{ feature: string; reason: string }> } {
  if (raw === null || typeof raw !== "object" || typeof (raw as { features?: unknown }).features !== "object") {
    return { profile: raw, notMonitored: [] };
  }
  const input = raw as { features: Record<string, RawProfile> };
  const features: Record<string, unknown> = {};
  const notMonitored: Array<{ feature: string; reason: string }> = [];
  for (const [name, p] of Object.entries(input.features ?? {})) {
    if (p && p.kind === "numeric" && p.n === 0) {
      notMonitored.push({ feature: name, reason: "no value in the training rows" });
    } else if (p && p.kind === "numeric" && typeof p.min === "number" && p.min === p.max && typeof p.n === "number") {
      features[name] = { kind: "categorical", n: p.n, missing: typeof p.missing === "number" ? p.missing : 0, frequencies: { [String(p.min)]: p.n } };
    } else {
      features[name] = p;
    }
  }
  return { profile: { ...input, features }, notMonitored };
}

export function monitoredModelFrom(card: ModelCard, rawReference: unknown, source: string): MonitoredModel {
  const { profile, notMonitored } = normaliseReference(rawReference);
  const parsed = parseReferenceProfile(profile, `${source}/reference.json`);
  if (parsed.featureSpecHash !== card.featureSpecHash) {
    throw new ReferenceUnusable(source, `reference.json is for feature spec ${parsed.featureSpecHash}, the card's is ${card.featureSpecHash}`);
  }
  const reference = new DatasetReference(parsed);
  const order = card.featureSpec.features.map((f) => f.name);
  const columns: MonitoredColumn[] = [];
  for (const feature of reference.features.keys()) {
    const index = order.indexOf(feature);
    if (index < 0) notMonitored.push({ feature, reason: "profiled but not in the card's feature spec" });
    else columns.push({ feature, index });
  }
  if (columns.length === 0) throw new ReferenceUnusable(source, "no feature of the reference profile can be monitored");
  return { name: card.name, version: card.version ?? "unregistered", featureSpecHash: card.featureSpecHash, reference, columns, notMonitored };
}

/** Reads card.json and reference.json of a version folder. */
export async function loadMonitoredModel(dir: string): Promise<MonitoredModel> {
  const read = async (file: string): Promise<unknown> => {
    const text = await readFile(join(dir, file), "utf8").catch((e: Error) => {
      throw new ReferenceUnusable(dir, `cannot read ${file}: ${e.message}`);
    });
    return JSON.parse(text) as unknown;
  };
  const card = ModelCard.safeParse(await read("card.json"));
  if (!card.success) throw new SchemaViolation(`${dir}/card.json`, issuesOf(card.error));
  return monitoredModelFrom(card.data, await read("reference.json"), dir);
}

/** The model the monitor judges now; swapped when the champion changes. */
export class MonitoredModelHolder {
  constructor(private model: MonitoredModel) {}

  current(): MonitoredModel {
    return this.model;
  }

  set(model: MonitoredModel): void {
    this.model = model;
  }
}
