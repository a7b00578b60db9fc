// Reading a model version folder: the files it must hold, its card parsed by the schema,
// and the sha256 of model.onnx. Used on the way in (register) and on the way out (download).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { ModelCard, SchemaViolation, issuesOf } from "../../schemas/index.ts";
import { InvalidRegistryName, ModelFolderInvalid } from "./errors.ts";

export const MODEL_FILE = "model.onnx";
export const CARD_FILE = "card.json";
export const REFERENCE_FILE = "reference.json";
/** Files a version folder must hold: the model, its card, the drift reference profile. */
export const REQUIRED_FILES = [MODEL_FILE, CARD_FILE, REFERENCE_FILE] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Model names become folder names and MLflow names: keep them path-safe. */
export function assertModelName(name: string): void {
  if (!NAME.test(name) || name.includes("..")) {
    throw new InvalidRegistryName(name, "model names are letters, digits, '.', '_' and '-' (at most 128), starting with a letter or digit");
  }
}

export function parseCard(raw: unknown, subject: string): ModelCard {
  const parsed = ModelCard.safeParse(raw);
  if (!parsed.success) throw new SchemaViolation(subject, issuesOf(parsed.error));
  return parsed.data;
}

export async function readCardFile(path: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ModelFolderInvalid(path, `cannot read: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SchemaViolation(path, [{ path: "", message: `not JSON: ${(error as Error).message}` }], error);
  }
  return parseCard(raw, path);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Every regular file under `folder`, as paths relative to it (sorted, `/`-separated). */
export async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(folder, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

export async function assertVersionFolder(folder: string): Promise<string[]> {
  const info = await stat(folder).catch(() => null);
  if (info === null || !info.isDirectory()) throw new ModelFolderInvalid(folder, "not a folder");
  const files = await listFiles(folder);
  const missing = REQUIRED_FILES.filter((f) => !files.includes(f));
  if (missing.length > 0) throw new ModelFolderInvalid(folder, `missing ${missing.join(", ")}`);
  return files;
}
