// The file backend: one folder per model, one sub-folder per version, aliases in a JSON file.
//
//   <root>/<model>/<version>/{model.onnx, card.json, reference.json, …}
//   <root>/<model>/aliases.json     {"aliases": {"champion": "2"}, "championHistory": ["1"]}
//   <root>/<model>/.lock            held while a version number is assigned or aliases change
//   <root>/<model>/.staging/<uuid>/ a version being copied in, before it gets its number
//
// Safe against several processes: every read-modify-write holds the model's lock file
// (file-lock.ts); a version appears by renaming its complete staging folder (card.json
// included) into place, and aliases.json and card.json are replaced by atomic renames.
// Readers take no lock: they see a previous or the next state, never a partial one.
import { randomUUID } from "node:crypto";
import { cp, mkdir, open, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { GateDecision } from "../../schemas/index.ts";
import { ModelIntegrityError, ModelNotFoundError, RegistryBackendError } from "./errors.ts";
import { syncDir, withFileLock, writeFileAtomic, type LockOptions } from "./file-lock.ts";
import { CARD_FILE, MODEL_FILE, sha256File } from "./model-folder.ts";
import type { AliasState, RegistryStore, StagedVersion } from "./registry.ts";

const ALIASES_FILE = "aliases.json";
const VERSION_DIR = /^[1-9]\d*$/;

export interface FileStoreOptions {
  root: string;
  lock?: LockOptions;
}

export function createFileStore(options: FileStoreOptions): RegistryStore {
  const root = resolve(options.root);
  const modelDir = (name: string) => join(root, name);
  const versionDir = (name: string, version: string) => join(root, name, version);
  const locked = <T>(name: string, fn: () => Promise<T>) => withFileLock(join(modelDir(name), ".lock"), fn, options.lock);

  async function listVersions(name: string): Promise<string[]> {
    const entries = await readdir(modelDir(name), { withFileTypes: true }).catch(ifMissing([]));
    const versions: string[] = [];
    for (const e of entries) {
      if (e.isDirectory() && VERSION_DIR.test(e.name) && (await exists(join(modelDir(name), e.name, CARD_FILE)))) versions.push(e.name);
    }
    return versions.sort((a, b) => Number(a) - Number(b));
  }

  async function readAliases(name: string): Promise<AliasState> {
    const text = await readFile(join(modelDir(name), ALIASES_FILE), "utf8").catch(ifMissing(null));
    if (text === null) return { aliases: {}, championHistory: [] };
    try {
      const state = JSON.parse(text) as Partial<AliasState>;
      return { aliases: { ...(state.aliases ?? {}) }, championHistory: [...(state.championHistory ?? [])] };
    } catch (error) {
      throw new RegistryBackendError(`${join(modelDir(name), ALIASES_FILE)} is not JSON`, { cause: error });
    }
  }

  async function readCardRaw(name: string, version: string): Promise<Record<string, unknown>> {
    const path = join(versionDir(name, version), CARD_FILE);
    const text = await readFile(path, "utf8").catch(ifMissing(null));
    if (text === null) throw new ModelNotFoundError(`${name}: no version ${version} in ${root}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  return {
    backend: "file",
    location: root,

    async listModels() {
      const entries = await readdir(root, { withFileTypes: true }).catch(ifMissing([]));
      const names: string[] = [];
      for (const e of entries) {
        if (!e.isDirectory() || e.name.startsWith(".")) continue;
        if ((await exists(join(root, e.name, ALIASES_FILE))) || (await listVersions(e.name)).length > 0) names.push(e.name);
      }
      return names.sort();
    },

    listVersions,
    readCard: readCardRaw,

    async source(name, version) {
      return versionDir(name, version);
    },

    async createVersion(name, staged: StagedVersion) {
      const staging = join(modelDir(name), ".staging", randomUUID());
      await mkdir(staging, { recursive: true });
      try {
        for (const file of staged.files) {
          await mkdir(dirname(join(staging, file)), { recursive: true });
          await cp(join(staged.folder, file), join(staging, file));
        }
        // Flushed before the rename that publishes them: a crash never leaves a version with empty files.
        for (const file of staged.files) await syncFile(join(staging, file));
        // What gets stored is what was checked: hash the copy, not only the source.
        const copied = await sha256File(join(staging, MODEL_FILE));
        if (copied !== staged.modelSha256) throw new ModelIntegrityError(name, null, staged.modelSha256, copied, `copied to ${staging}`);
        return await locked(name, async () => {
          const existing = await readdir(modelDir(name)).catch(ifMissing([] as string[]));
          const highest = Math.max(0, ...existing.filter((e) => VERSION_DIR.test(e)).map(Number));
          const version = String(highest + 1);
          await writeFileAtomic(join(staging, CARD_FILE), `${JSON.stringify(staged.card(version), null, 2)}\n`);
          // rename(2) onto a missing path is atomic: the version appears complete or not at all.
          await rename(staging, versionDir(name, version));
          await syncDir(modelDir(name));
          return version;
        });
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },

    readAliases,

    async updateAliases(name, update) {
      await mkdir(modelDir(name), { recursive: true });
      return locked(name, async () => {
        const before = await readAliases(name);
        const after = update({ aliases: { ...before.aliases }, championHistory: [...before.championHistory] });
        for (const version of new Set(Object.values(after.aliases))) {
          if (!(await exists(join(versionDir(name, version), CARD_FILE)))) throw new ModelNotFoundError(`${name}: no version ${version} in ${root}`);
        }
        await writeFileAtomic(join(modelDir(name), ALIASES_FILE), `${JSON.stringify(after, null, 2)}\n`);
        return { before, after };
      });
    },

    async writeDecision(name, version, decision: GateDecision) {
      await locked(name, async () => {
        const card = await readCardRaw(name, version);
        await writeFileAtomic(join(versionDir(name, version), CARD_FILE), `${JSON.stringify({ ...card, gate: decision }, null, 2)}\n`);
      });
    },

    async hashModel(name, version) {
      return sha256File(join(versionDir(name, version), MODEL_FILE)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return "(missing)";
        throw error;
      });
    },

    async copyFiles(name, version, destDir) {
      if (!(await exists(join(versionDir(name, version), CARD_FILE)))) throw new ModelNotFoundError(`${name}: no version ${version} in ${root}`);
      await cp(versionDir(name, version), destDir, { recursive: true });
    },

    async close() {},
  };
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function ifMissing<T>(value: T) {
  return (error: NodeJS.ErrnoException): T => {
    if (error.code === "ENOENT") return value;
    throw error;
  };
}
