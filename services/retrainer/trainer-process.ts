// Launches the Python trainer (services/trainer) as a child process on a snapshot and
// returns the version folder it wrote. Its progress lines (stderr) are passed on as they
// come; its last stdout line is a JSON summary. Exit codes: 2 bad input, 3 ONNX parity.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EdgeflowError, edgeflowHome } from "../../schemas/index.ts";

export class TrainerFailed extends EdgeflowError {
  readonly exitCode: number | null;
  readonly stderrTail: string;
  constructor(exitCode: number | null, reason: string, stderrTail: string) {
    super("TRAINER_FAILED", `trainer ${reason}${stderrTail ? `:\n${stderrTail}` : ""}`);
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

export interface TrainRequest {
  snapshotDir: string;
  outDir: string;
  name: string;
  version?: string;
  trainTo?: string;
  testFrom?: string;
  testTo?: string;
  holdoutFraction?: number;
  trials?: number;
  seed?: number;
  parent?: string | null;
  candidates?: string[];
  /** Python executable with edgeflow_trainer installed; default: the venv install.sh makes. */
  python?: string;
  onProgress?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface TrainResult {
  outDir: string;
  chosen: string;
  metrics: Record<string, number>;
  seconds: number;
}

export function trainerPython(env: NodeJS.ProcessEnv = process.env): string {
  const home = edgeflowHome(env);
  return env.EDGEFLOW_TRAINER_PYTHON ?? join(home, "venvs/trainer/bin/python");
}

const REASONS: Record<number, string> = {
  2: "refused its input (exit 2)",
  3: "refused to emit a model whose ONNX predictions differ from the native model's (exit 3)",
};

export async function runTrainer(req: TrainRequest): Promise<TrainResult> {
  const python = req.python ?? trainerPython(req.env);
  if (!existsSync(python)) {
    throw new TrainerFailed(null, `is not installed: ${python} is missing; run \`bash services/trainer/install.sh\``, "");
  }
  const args = ["-m", "edgeflow_trainer", "train", "--snapshot", req.snapshotDir, "--out", req.outDir, "--name", req.name];
  const opt = (flag: string, v: string | number | undefined | null) => {
    if (v !== undefined && v !== null) args.push(flag, String(v));
  };
  opt("--version", req.version);
  opt("--train-to", req.trainTo);
  opt("--test-from", req.testFrom);
  opt("--test-to", req.testTo);
  opt("--holdout-fraction", req.holdoutFraction);
  opt("--trials", req.trials);
  opt("--seed", req.seed);
  opt("--parent", req.parent);
  if (req.candidates?.length) opt("--candidates", req.candidates.join(","));

  const started = Date.now();
  // OpenMP's default busy-waiting makes LightGBM fits many times slower on a shared 2-core
  // machine (measured 283 s → 20 s); passive waiting costs nothing when cores are free.
  const env = { OMP_WAIT_POLICY: "PASSIVE", ...process.env, ...req.env };
  const child = spawn(python, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  const tail: string[] = [];
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    const lines = (partial + d).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      req.onProgress?.(line);
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res, rej) => {
    child.on("error", rej);
    child.on("close", (c, s) => res([c, s]));
  });
  if (partial) tail.push(partial);
  if (code !== 0) {
    const reason = signal ? `was killed by ${signal}` : (REASONS[code ?? -1] ?? `exited with code ${code}`);
    throw new TrainerFailed(code, reason, tail.join("\n"));
  }
  const last = stdout.trim().split("\n").at(-1) ?? "";
  let summary: { out?: string; chosen?: string; metrics?: Record<string, number> };
  try {
    summary = JSON.parse(last) as typeof summary;
  } catch {
    throw new TrainerFailed(0, `printed no JSON summary (last stdout line: ${JSON.stringify(last.slice(0, 200))})`, tail.join("\n"));
  }
  return {
    outDir: summary.out ?? req.outDir,
    chosen: summary.chosen ?? "unknown",
    metrics: summary.metrics ?? {},
    seconds: (Date.now() - started) / 1000,
  };
}
