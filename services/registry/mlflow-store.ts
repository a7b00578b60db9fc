// The MLflow backend: versions are MLflow model versions whose files live in a run's
// artifacts, uploaded and downloaded through the tracking server's artifact proxy.
//
//   registered model  <name>, tag edgeflow.managed=true, tag edgeflow.champion_history=[…]
//   model version     source mlflow-artifacts:/<exp>/<run>/artifacts/model, version assigned
//                     by MLflow; tags edgeflow.modelSha256, edgeflow.featureSpecHash,
//                     edgeflow.gate (a recorded decision), edgeflow.complete (card uploaded)
//   aliases           MLflow's own registered-model aliases (`champion`, `challenger`)
//
// card.json is uploaded after MLflow assigns the version, then `edgeflow.complete` is set:
// a version without it is an interrupted registration and is neither listed nor served.
// MLflow has no compare-and-set on aliases: alias changes are serialized within a process;
// across processes the last writer wins (use the file backend's lock or one promoting process).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GateDecision } from "../../schemas/index.ts";
import { ModelNotFoundError, RegistryBackendError } from "./errors.ts";
import { MlflowClient, type MlflowModelVersion, type MlflowRegisteredModel } from "./mlflow-client.ts";
import { CARD_FILE, MODEL_FILE, sha256Bytes } from "./model-folder.ts";
import type { AliasState, RegistryStore, StagedVersion } from "./registry.ts";

const TAG = {
  managed: "edgeflow.managed",
  history: "edgeflow.champion_history",
  complete: "edgeflow.complete",
  gate: "edgeflow.gate",
  sha: "edgeflow.modelSha256",
  spec: "edgeflow.featureSpecHash",
} as const;
/** Keeps the history tag well under MLflow's tag value limit. */
const MAX_HISTORY = 100;

export interface MlflowStoreOptions {
  trackingUri: string;
  /** Experiment holding the registration runs (created when missing). */
  experiment?: string;
  timeoutMs?: number;
}

export function createMlflowStore(options: MlflowStoreOptions): RegistryStore {
  const client = new MlflowClient(options.trackingUri, { timeoutMs: options.timeoutMs });
  const experimentName = options.experiment ?? "edgeflow-registry";
  const queues = new Map<string, Promise<unknown>>();

  /** Runs alias updates of one model one after the other within this process. */
  function serialized<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const next = (queues.get(name) ?? Promise.resolve()).then(fn, fn);
    queues.set(name, next.catch(() => undefined));
    return next;
  }

  async function modelVersion(name: string, version: string): Promise<MlflowModelVersion> {
    const found = await client.callOrNull<{ model_version: MlflowModelVersion }>("GET", "model-versions/get", { name, version });
    if (found === null || tagOf(found.model_version.tags, TAG.complete) !== "true") {
      throw new ModelNotFoundError(`${name}: no version ${version} in MLflow at ${client.baseUrl}`);
    }
    return found.model_version;
  }

  async function registeredModel(name: string): Promise<MlflowRegisteredModel | null> {
    const found = await client.callOrNull<{ registered_model: MlflowRegisteredModel }>("GET", "registered-models/get", { name });
    return found?.registered_model ?? null;
  }

  async function readAliases(name: string): Promise<AliasState> {
    const model = await registeredModel(name);
    if (model === null) return { aliases: {}, championHistory: [] };
    const history = tagOf(model.tags, TAG.history);
    return {
      aliases: Object.fromEntries((model.aliases ?? []).map((a) => [a.alias, a.version])),
      championHistory: history ? (JSON.parse(history) as string[]) : [],
    };
  }

  async function experimentId(): Promise<string> {
    const found = await client.callOrNull<{ experiment: { experiment_id: string } }>("GET", "experiments/get-by-name", { experiment_name: experimentName });
    if (found !== null) return found.experiment.experiment_id;
    const created = await client.callOrNull<{ experiment_id: string }>("POST", "experiments/create", { name: experimentName }, ["RESOURCE_ALREADY_EXISTS"]);
    return created?.experiment_id ?? experimentId();
  }

  async function ensureRegisteredModel(name: string): Promise<void> {
    await client.callOrNull("POST", "registered-models/create", { name, description: "Managed by the edgeflow registry" }, ["RESOURCE_ALREADY_EXISTS"]);
    await client.call("POST", "registered-models/set-tag", { name, key: TAG.managed, value: "true" });
  }

  async function writeHistory(name: string, history: string[]): Promise<void> {
    await client.call("POST", "registered-models/set-tag", { name, key: TAG.history, value: JSON.stringify(history.slice(-MAX_HISTORY)) });
  }

  async function writeAliases(name: string, before: AliasState, after: AliasState): Promise<void> {
    for (const [alias, version] of Object.entries(after.aliases)) {
      if (before.aliases[alias] !== version) await client.call("POST", "registered-models/alias", { name, alias, version });
    }
    for (const alias of Object.keys(before.aliases)) {
      if (!(alias in after.aliases)) await client.call("DELETE", "registered-models/alias", { name, alias });
    }
  }

  return {
    backend: "mlflow",
    location: client.baseUrl,

    async listModels() {
      const names: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await client.call<{ registered_models?: MlflowRegisteredModel[]; next_page_token?: string }>("GET", "registered-models/search", {
          max_results: 1000,
          page_token: pageToken,
        });
        for (const m of page.registered_models ?? []) if (tagOf(m.tags, TAG.managed) === "true") names.push(m.name);
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
      return names.sort();
    },

    async listVersions(name) {
      const versions: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await client.call<{ model_versions?: MlflowModelVersion[]; next_page_token?: string }>("GET", "model-versions/search", {
          filter: `name='${name}'`,
          max_results: 10_000,
          page_token: pageToken,
        });
        for (const v of page.model_versions ?? []) if (tagOf(v.tags, TAG.complete) === "true") versions.push(v.version);
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
      return versions.sort((a, b) => Number(a) - Number(b));
    },

    async readCard(name, version) {
      const mv = await modelVersion(name, version);
      const bytes = await client.downloadArtifact(mv.source!, CARD_FILE);
      if (bytes === null) throw new ModelNotFoundError(`${name} v${version}: ${CARD_FILE} missing at ${mv.source}`);
      const card = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
      const gate = tagOf(mv.tags, TAG.gate);
      return gate ? { ...card, gate: JSON.parse(gate) } : card;
    },

    async source(name, version) {
      return (await modelVersion(name, version)).source!;
    },

    async createVersion(name, staged: StagedVersion) {
      await ensureRegisteredModel(name);
      const { run } = await client.call<{ run: { info: { run_id: string; artifact_uri: string } } }>("POST", "runs/create", {
        experiment_id: await experimentId(),
        start_time: Date.now(),
        run_name: `register-${name}`,
        tags: [{ key: "edgeflow.model", value: name }],
      });
      const source = `${run.info.artifact_uri.replace(/\/+$/, "")}/model`;
      let version: string | null = null;
      try {
        for (const file of staged.files) {
          const bytes = await readFile(join(staged.folder, file));
          // What gets stored is what was checked: the bytes uploaded are the bytes hashed.
          if (file === MODEL_FILE && sha256Bytes(bytes) !== staged.modelSha256) {
            throw new RegistryBackendError(`${join(staged.folder, file)} changed while it was being registered`);
          }
          await client.uploadArtifact(source, file, bytes);
        }
        const card = staged.card("0");
        const created = await client.call<{ model_version: MlflowModelVersion }>("POST", "model-versions/create", {
          name,
          source,
          run_id: run.info.run_id,
          tags: [
            { key: TAG.sha, value: staged.modelSha256 },
            { key: TAG.spec, value: card.featureSpecHash },
          ],
        });
        version = created.model_version.version;
        await client.uploadArtifact(source, CARD_FILE, Buffer.from(`${JSON.stringify(staged.card(version), null, 2)}\n`));
        await client.call("POST", "model-versions/set-tag", { name, version, key: TAG.complete, value: "true" });
        await client.call("POST", "runs/update", { run_id: run.info.run_id, status: "FINISHED", end_time: Date.now() });
        return version;
      } catch (error) {
        // Best effort: an interrupted registration must not leave a half version behind.
        if (version !== null) await client.call("DELETE", "model-versions/delete", { name, version }).catch(() => undefined);
        await client.call("POST", "runs/update", { run_id: run.info.run_id, status: "FAILED", end_time: Date.now() }).catch(() => undefined);
        throw error;
      }
    },

    readAliases,

    updateAliases(name, update) {
      return serialized(name, async () => {
        const before = await readAliases(name);
        const after = update({ aliases: { ...before.aliases }, championHistory: [...before.championHistory] });
        for (const version of new Set(Object.values(after.aliases))) await modelVersion(name, version);
        // No transaction: order the two writes so a crash between them leaves a state that
        // rollback tolerates (a champion left on top of the history is skipped by rollback).
        const historyChanged = JSON.stringify(after.championHistory) !== JSON.stringify(before.championHistory);
        const grows = after.championHistory.length >= before.championHistory.length;
        if (historyChanged && grows) await writeHistory(name, after.championHistory);
        await writeAliases(name, before, after);
        if (historyChanged && !grows) await writeHistory(name, after.championHistory);
        return { before, after };
      });
    },

    async writeDecision(name, version, decision: GateDecision) {
      await modelVersion(name, version);
      await client.call("POST", "model-versions/set-tag", { name, version, key: TAG.gate, value: JSON.stringify(decision) });
    },

    async hashModel(name, version) {
      const mv = await modelVersion(name, version);
      const bytes = await client.downloadArtifact(mv.source!, MODEL_FILE);
      return bytes === null ? "(missing)" : sha256Bytes(bytes);
    },

    async copyFiles(name, version, destDir) {
      const mv = await modelVersion(name, version);
      for (const file of await client.listArtifacts(mv.source!)) {
        const bytes = await client.downloadArtifact(mv.source!, file);
        if (bytes === null) throw new ModelNotFoundError(`${name} v${version}: ${file} vanished from ${mv.source}`);
        await mkdir(dirname(join(destDir, file)), { recursive: true });
        await writeFile(join(destDir, file), bytes);
      }
    },

    async close() {},
  };
}

function tagOf(tags: Array<{ key: string; value: string }> | undefined, key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}
