// `npm run bench`: every benchmark, one after the other (they share the machine's two cores,
// so never at the same time). `npm run bench -- stream http` runs only those.
//
// Needs the local services (npm run services:up) and the trainer venv
// (bash services/trainer/install.sh); each benchmark's README says what it measures.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ALL = ["stream", "drift", "http"] as const;
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !(ALL as readonly string[]).includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; choose from ${ALL.join(", ")}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : ALL) {
  console.log(`\n=== bench/${name}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, name, "run.ts")], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`bench/${name} failed (exit ${r.status ?? r.signal})`);
    failed += 1;
  }
}
process.exit(failed > 0 ? 1 : 0);
