// Prepares a throwaway API for the fuzzer: a file registry whose champion is a real tiny
// linear ONNX model over the bike features, and a fresh key with both scopes. Prints the
// environment for the API (EDGEFLOW_API_KEYS, EDGEFLOW_REGISTRY) and writes the secret to
// <dir>/key, never to stdout.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { newApiKey } from "../../services/api/auth.ts";
import { createFileStore, createModelRegistry, InProcessModelEventPublisher } from "../../services/registry/index.ts";
import { BIKE_FEATURE_SPEC } from "../../stream/features/index.ts";
import { createLogger } from "../../stream/runtime/index.ts";
import { writeLinearModelFolder } from "../support/linear-model.ts";

const dir = resolve(process.argv[2] ?? ".");
const silent = createLogger("fuzz", {}, () => true);
const registry = createModelRegistry(createFileStore({ root: join(dir, "registry") }), { publisher: new InProcessModelEventPublisher(silent), logger: silent });
for (const [i, lag] of [1, 0.9].entries()) {
  const folder = join(dir, "trained", String(i));
  mkdirSync(folder, { recursive: true });
  writeLinearModelFolder(folder, { name: "bike-next-hour", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: lag, lag_24h: 0.1 }, bias: 1 });
  const v = await registry.register(folder);
  await registry.promote("bike-next-hour", v.version);
}
await registry.close();
const key = newApiKey("fuzzer", ["predict", "admin"]);
writeFileSync(join(dir, "key"), key.secret, { mode: 0o600 });
process.stdout.write(`EDGEFLOW_REGISTRY=file:${join(dir, "registry")}\nEDGEFLOW_API_KEYS=${key.line}\n`);
