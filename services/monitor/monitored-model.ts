// What the monitor compares live rows against: a model version's reference profile, tied to
// the feature vector's column order by the version's card. Features the profile cannot judge
// (no value in the training rows, or not in the card's feature spec) are listed in
// `notMonitored`, so one such feature does not stop a whole model from being monitored.
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

export function monitoredModelFrom(card: ModelCard, rawReference: unknown, source: string): MonitoredModel {
  const parsed = parseReferenceProfile(rawReference, `${source}/reference.json`);
  const notMonitored = parsed.emptyFeatures.map((feature) => ({ feature, reason: "no value in the training rows" }));
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
