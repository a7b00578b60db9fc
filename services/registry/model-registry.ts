// The registry's semantics over any RegistryStore: what a valid version is, how champion and
// its history move, integrity checks on the way in and out, and the model-event published
// after each change is durable (never before: a consumer that reacts to an event must find
// the registry already in the state it announces).
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { GateDecision, ModelCard, ModelEvent, ModelEventType } from "../../schemas/index.ts";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";
import { InvalidRegistryName, ModelEventNotPublished, ModelIntegrityError, ModelNotFoundError, NoPreviousChampion } from "./errors.ts";
import type { ModelEventPublisher } from "./events.ts";
import { CARD_FILE, MODEL_FILE, assertModelName, assertVersionFolder, parseCard, readCardFile, sha256File } from "./model-folder.ts";
import { CHAMPION, type AliasChange, type AliasState, type ModelRegistry, type ModelVersion, type RegistryStore } from "./registry.ts";

export interface RegistryOptions {
  publisher: ModelEventPublisher;
  logger?: Logger;
  now?: () => number;
}

const VERSION = /^[1-9]\d*$/;
/** MLflow refuses these as alias names (they read as versions); so do we, on every backend. */
const RESERVED_ALIAS = /^(latest|v\d+|\d+)$/i;
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export function createModelRegistry(store: RegistryStore, options: RegistryOptions): ModelRegistry {
  const { publisher } = options;
  const log = options.logger ?? createLogger("registry", { backend: store.backend });
  const now = options.now ?? Date.now;

  async function cardOf(name: string, version: string): Promise<ModelCard> {
    return parseCard(await store.readCard(name, version), `${name} v${version} card.json`);
  }

  async function versionOf(name: string, version: string, state?: AliasState): Promise<ModelVersion> {
    const aliases = state ?? (await store.readAliases(name));
    return {
      name,
      version,
      aliases: Object.entries(aliases.aliases)
        .filter(([, v]) => v === version)
        .map(([a]) => a)
        .sort(),
      card: await cardOf(name, version),
      source: await store.source(name, version),
    };
  }

  async function resolveVersion(name: string, versionOrAlias: string, state: AliasState): Promise<string> {
    assertModelName(name);
    if (VERSION.test(versionOrAlias)) return versionOrAlias;
    const aliased = state.aliases[versionOrAlias];
    if (aliased !== undefined) return aliased;
    if (versionOrAlias === "latest") {
      const latest = (await store.listVersions(name)).at(-1);
      if (latest !== undefined) return latest;
    }
    throw new ModelNotFoundError(`${name}: no version or alias "${versionOrAlias}"`);
  }

  function eventFor(type: ModelEventType, card: ModelCard, version: string, alias: string | null, previousVersion: string | null, reason: string): ModelEvent {
    return {
      eventId: randomUUID(),
      type,
      model: card.name,
      version,
      alias,
      previousVersion,
      modelSha256: card.modelSha256,
      featureSpecHash: card.featureSpecHash,
      reason,
      at: now(),
    };
  }

  async function publish(event: ModelEvent): Promise<void> {
    try {
      await publisher.publish(event);
      log.info("model event published", { eventId: event.eventId, type: event.type, model: event.model, version: event.version, alias: event.alias });
    } catch (error) {
      log.error("model event not published", { eventId: event.eventId, type: event.type, model: event.model, version: event.version, error });
      throw new ModelEventNotPublished(event, error);
    }
  }

  async function verifyStored(name: string, version: string, card: ModelCard): Promise<void> {
    const actual = await store.hashModel(name, version);
    if (actual !== card.modelSha256) throw new ModelIntegrityError(name, version, card.modelSha256, actual, `stored in ${store.backend} registry`);
  }

  async function moveChampion(name: string, reason: string, pick: (state: AliasState) => { version: string; history: string[] }, type: "promoted" | "rolled_back"): Promise<AliasChange> {
    let target = "";
    const { before } = await store.updateAliases(name, (state) => {
      const { version, history } = pick(state);
      target = version;
      return { aliases: { ...state.aliases, [CHAMPION]: version }, championHistory: history };
    });
    const previousVersion = before.aliases[CHAMPION] ?? null;
    const card = await cardOf(name, target);
    const event = eventFor(type, card, target, CHAMPION, previousVersion, reason);
    log.info(type === "promoted" ? "champion promoted" : "champion rolled back", { model: name, version: target, previousVersion, reason });
    await publish(event);
    return { model: name, alias: CHAMPION, version: target, previousVersion, event };
  }

  const registry: ModelRegistry = {
    backend: store.backend,
    location: store.location,

    async register(folder, opts = {}) {
      const files = await assertVersionFolder(folder);
      const card = await readCardFile(join(folder, CARD_FILE));
      const name = opts.name ?? card.name;
      assertModelName(name);
      const actual = await sha256File(join(folder, MODEL_FILE));
      if (actual !== card.modelSha256) throw new ModelIntegrityError(name, null, card.modelSha256, actual, `in ${folder}`);
      const version = await store.createVersion(name, {
        folder,
        files: files.filter((f) => f !== CARD_FILE),
        modelSha256: actual,
        card: (v) => ({ ...card, name, version: v }),
      });
      const registered = await versionOf(name, version);
      log.info("model version registered", { model: name, version, modelSha256: actual, source: registered.source });
      await publish(eventFor("registered", registered.card, version, null, null, `registered from ${resolve(folder)}`));
      return registered;
    },

    async models() {
      const names = await store.listModels();
      return Promise.all(
        names.map(async (name) => ({ name, versions: await store.listVersions(name), aliases: (await store.readAliases(name)).aliases })),
      );
    },

    async list(name) {
      assertModelName(name);
      const state = await store.readAliases(name);
      const versions = await store.listVersions(name);
      return Promise.all(versions.map((v) => versionOf(name, v, state)));
    },

    async get(name, versionOrAlias) {
      const state = await store.readAliases(name);
      return versionOf(name, await resolveVersion(name, versionOrAlias, state), state);
    },

    async aliases(name) {
      assertModelName(name);
      return store.readAliases(name);
    },

    async setAlias(name, alias, version, opts = {}) {
      if (alias === CHAMPION) return registry.promote(name, version, opts);
      if (!ALIAS.test(alias) || RESERVED_ALIAS.test(alias)) {
        throw new InvalidRegistryName(alias, "aliases are a letter then letters, digits, '_' or '-', and not latest, v<N> or a number");
      }
      assertModelName(name);
      const card = await cardOf(name, version);
      const { before } = await store.updateAliases(name, (state) => ({ ...state, aliases: { ...state.aliases, [alias]: version } }));
      const previousVersion = before.aliases[alias] ?? null;
      const event = eventFor("alias_set", card, version, alias, previousVersion, opts.reason ?? `alias ${alias} set`);
      await publish(event);
      return { model: name, alias, version, previousVersion, event };
    },

    async promote(name, version, opts = {}) {
      assertModelName(name);
      if (!VERSION.test(version)) throw new ModelNotFoundError(`${name}: "${version}" is not a version number`);
      const card = await cardOf(name, version);
      const reason = opts.reason ?? "promoted";
      try {
        await verifyStored(name, version, card);
      } catch (error) {
        if (error instanceof ModelIntegrityError) {
          const champion = (await store.readAliases(name)).aliases[CHAMPION] ?? null;
          await publish(eventFor("refused", card, version, CHAMPION, champion, error.message));
        }
        throw error;
      }
      return moveChampion(
        name,
        reason,
        (state) => {
          const current = state.aliases[CHAMPION];
          const history = current !== undefined && current !== version ? [...state.championHistory, current] : state.championHistory;
          return { version, history };
        },
        "promoted",
      );
    },

    async rollback(name, opts = {}) {
      assertModelName(name);
      return moveChampion(
        name,
        opts.reason ?? "rolled back",
        (state) => {
          const current = state.aliases[CHAMPION];
          const history = [...state.championHistory];
          // An interrupted non-atomic backend may leave the current champion on top: skip it.
          while (history.length > 0 && history.at(-1) === current) history.pop();
          const previous = history.pop();
          if (previous === undefined) throw new NoPreviousChampion(name);
          return { version: previous, history };
        },
        "rolled_back",
      );
    },

    async download(name, versionOrAlias, destDir) {
      const model = await registry.get(name, versionOrAlias);
      const dest = resolve(destDir);
      await mkdir(dirname(dest), { recursive: true });
      // Fill a sibling folder, verify it, then swap it in: a bad copy never replaces a good one.
      const partial = `${dest}.partial-${randomUUID()}`;
      await mkdir(partial);
      try {
        await store.copyFiles(name, model.version, partial);
        const actual = await sha256File(join(partial, MODEL_FILE)).catch(() => "(missing)");
        if (actual !== model.card.modelSha256) {
          throw new ModelIntegrityError(name, model.version, model.card.modelSha256, actual, `downloaded from ${model.source}`);
        }
        await writeFile(join(partial, CARD_FILE), `${JSON.stringify(model.card, null, 2)}\n`);
        const old = `${dest}.old-${randomUUID()}`;
        const hadOld = await rename(dest, old).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code === "ENOENT") return false;
            throw error;
          },
        );
        await rename(partial, dest);
        if (hadOld) await rm(old, { recursive: true, force: true });
      } catch (error) {
        await rm(partial, { recursive: true, force: true });
        throw error;
      }
      return { dir: dest, version: model };
    },

    async recordDecision(name, version, decision) {
      assertModelName(name);
      await cardOf(name, version);
      const recorded: GateDecision = { ...decision, decidedAt: decision.decidedAt ?? new Date(now()).toISOString() };
      await store.writeDecision(name, version, recorded);
      const state = await store.readAliases(name);
      const updated = await versionOf(name, version, state);
      if (!recorded.promote) {
        const champion = state.aliases[CHAMPION] ?? null;
        await publish(eventFor("refused", updated.card, version, CHAMPION, champion, recorded.reasons.join("; ") || "refused by the gate"));
      }
      return updated;
    },

    async close() {
      await store.close();
    },
  };
  return registry;
}
