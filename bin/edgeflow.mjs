#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step), passing signals on so that a
// SIGTERM to this wrapper stops the command (e.g. `edgeflow serve`) cleanly.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../services/cli/main.ts", import.meta.url));
// tsx resolved from this package, so the command works from any directory.
const tsx = import.meta.resolve("tsx");
const child = spawn(process.execPath, ["--import", tsx, main, ...process.argv.slice(2)], {
  stdio: "inherit",
  cwd: process.cwd(),
});
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code) => process.exit(code ?? 1));
