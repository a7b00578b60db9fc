// The model registry's contract: `ModelRegistry` is what services use; `RegistryStore` is the
// small storage interface each backend (file, MLflow) implements. The semantics (card
// validation, integrity checks, champion history, events) live once, in model-registry.ts.
import type { GateDecision, ModelCard, ModelEvent } from "../../schemas/index.ts";

export type BackendKind = "file" | "mlflow";

export const CHAMPION = "champion";

export interface ModelVersion {
  name: string;
  version: string;
  /** Aliases pointing at this version (`champion`, `challenger`, …). */
  aliases: string[];
  card: ModelCard;
  /** Where the version's files live: a folder, or an MLflow `mlflow-artifacts:` URI. */
  source: string;
}

export interface AliasState {
  /** alias → version */
  aliases: Record<string, string>;
  /** Earlier champions, oldest first; `rollback` goes back to the last one. */
  championHistory: string[];
}

export interface AliasChange {
  model: string;
  alias: string;
  version: string;
  previousVersion: string | null;
  event: ModelEvent;
}

export interface ModelSummary {
  name: string;
  versions: string[];
  aliases: Record<string, string>;
}

export interface DownloadedModel {
  /** The folder now holding model.onnx, card.json, reference.json, … */
  dir: string;
  version: ModelVersion;
}

export interface ModelRegistry {
  readonly backend: BackendKind;
  readonly location: string;
  /**
   * Adds a version from a trainer's output folder: validates card.json, checks the sha256
   * of model.onnx against it, assigns the next version number and writes it into the card.
   * The name defaults to `card.name`; the registry's name wins over the card's.
   */
  register(folder: string, options?: { name?: string }): Promise<ModelVersion>;
  models(): Promise<ModelSummary[]>;
  /** Every complete version, oldest first. */
  list(name: string): Promise<ModelVersion[]>;
  /** A version number, an alias, or `latest` (the highest version, unless an alias has that name). */
  get(name: string, versionOrAlias: string): Promise<ModelVersion>;
  aliases(name: string): Promise<AliasState>;
  /** Points an alias at a version; `champion` goes through `promote`. */
  setAlias(name: string, alias: string, version: string, options?: { reason?: string }): Promise<AliasChange>;
  /** Moves `champion` to `version` after checking the stored model's hash; remembers the previous champion. */
  promote(name: string, version: string, options?: { reason?: string }): Promise<AliasChange>;
  /** Moves `champion` back to the previous champion; NoPreviousChampion if there is none. */
  rollback(name: string, options?: { reason?: string }): Promise<AliasChange>;
  /**
   * Copies a version into `destDir`, verifying model.onnx against the card first; on a
   * mismatch nothing in `destDir` is replaced (ModelIntegrityError).
   */
  download(name: string, versionOrAlias: string, destDir: string): Promise<DownloadedModel>;
  /** Records a gate decision on the version; a refusal publishes a `refused` event. */
  recordDecision(name: string, version: string, decision: GateDecision): Promise<ModelVersion>;
  close(): Promise<void>;
}

/** A version prepared for storage: its files and its card, once the version is known. */
export interface StagedVersion {
  /** Folder holding the files to store (card.json in it is ignored; `card` is written). */
  folder: string;
  /** Paths relative to `folder`, card.json excluded. */
  files: string[];
  /** sha256 of model.onnx as read and checked by the registry. */
  modelSha256: string;
  card(version: string): ModelCard;
}

export interface RegistryStore {
  readonly backend: BackendKind;
  readonly location: string;
  listModels(): Promise<string[]>;
  /** Complete versions of a model (card written), ascending; [] for an unknown model. */
  listVersions(name: string): Promise<string[]>;
  /** The card as stored (unparsed), with any gate decision merged in; ModelNotFoundError if absent. */
  readCard(name: string, version: string): Promise<unknown>;
  source(name: string, version: string): Promise<string>;
  /** Assigns the next version number and stores the files and the card under it. */
  createVersion(name: string, staged: StagedVersion): Promise<string>;
  readAliases(name: string): Promise<AliasState>;
  /** Read-modify-write of the alias state; the update may throw to abort. */
  updateAliases(name: string, update: (state: AliasState) => AliasState): Promise<{ before: AliasState; after: AliasState }>;
  writeDecision(name: string, version: string, decision: GateDecision): Promise<void>;
  /** sha256 of the stored model.onnx. */
  hashModel(name: string, version: string): Promise<string>;
  /** Copies every stored file of a version into `destDir` (an existing, empty folder). */
  copyFiles(name: string, version: string, destDir: string): Promise<void>;
  close(): Promise<void>;
}
