// Builds bench/http/loadgen (edgeflow-loadgen) with the machine's Go, once per source version.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { edgeflowHome } from "../../schemas/index.ts";

const SRC = resolve(import.meta.dirname, "loadgen");

/**
 * edgeflow-loadgen (bench/http/loadgen, Go standard library only; built with the machine's
 * Go into EDGEFLOW_HOME/bin): open model like vegeta, latency from the moment each request
 * was released, at about half of vegeta's CPU per request — which matters when the generator
 * and the server share two cores. Rebuilt when its source changes.
 */
export function loadgenBin(): string | null {
  const src = SRC;
  const stamp = createHash("sha256").update(readFileSync(join(src, "main.go"))).update(readFileSync(join(src, "go.mod"))).digest("hex").slice(0, 12);
  const home = resolve(edgeflowHome());
  const bin = join(home, "bin", `edgeflow-loadgen-${stamp}`);
  if (existsSync(bin)) return bin;
  process.stderr.write(`bench: building edgeflow-loadgen (go build ${src})\n`);
  const r = spawnSync("go", ["build", "-o", bin, "."], { cwd: src, stdio: "inherit", env: { ...process.env, GOPATH: join(home, "go"), GOFLAGS: "-mod=mod" } });
  return r.status === 0 && existsSync(bin) ? bin : null;
}

