// `edgeflow models …`: look at the registry and move the champion by hand.
//   models list [name]                    models, or the versions of one model
//   models show <name> [version|alias]    one version's card (default: champion, else latest)
//   models promote <name> <version> [--reason text]
//   models rollback <name> [--reason text]
// `--json` prints machine-readable output. Exit codes: 0 done, 1 refused or failed, 2 usage.
import { EdgeflowError, type Env } from "../../schemas/index.ts";
import { registryConfig } from "./config.ts";
import { openRegistry } from "./open.ts";
import { CHAMPION, type AliasChange, type ModelRegistry, type ModelSummary, type ModelVersion } from "./registry.ts";

export interface CliIo {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  /** Environment to read the configuration from (default process.env). */
  env?: Env;
  /** A registry to use instead of opening one from the configuration (tests, embedding). */
  registry?: ModelRegistry;
}

const USAGE = `usage: edgeflow models list [name] [--json]
       edgeflow models show <name> [version|alias] [--json]
       edgeflow models promote <name> <version> [--reason text] [--json]
       edgeflow models rollback <name> [--reason text] [--json]
registry: EDGEFLOW_REGISTRY=file:<path> (default file:.edgeflow/registry) | http(s)://<mlflow> | mlflow
`;

class UsageError extends Error {}

export async function modelsCommand(args: string[], io: CliIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    err.write(`edgeflow models: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    out.write(USAGE);
    return 0;
  }
  let registry: ModelRegistry | undefined;
  try {
    registry = io.registry ?? openRegistry(registryConfig(io.env ?? process.env));
    const text = await run(registry, parsed);
    out.write(text.endsWith("\n") ? text : `${text}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`edgeflow models: ${error.message}\n${USAGE}`);
      return 2;
    }
    const code = error instanceof EdgeflowError ? ` [${error.code}]` : "";
    err.write(`edgeflow models ${parsed.command}: ${(error as Error).message}${code}\n`);
    return 1;
  } finally {
    if (registry !== undefined && io.registry === undefined) await registry.close();
  }
}

interface ParsedArgs {
  command: string;
  positional: string[];
  json: boolean;
  reason: string | undefined;
  help: boolean;
}

function parseArgs(args: string[]): ParsedArgs {
  const positional: string[] = [];
  let json = false;
  let help = false;
  let reason: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--json") json = true;
    else if (a === "--help" || a === "-h") help = true;
    else if (a === "--reason") {
      reason = args[++i];
      if (reason === undefined) throw new Error("--reason needs a value");
    } else if (a.startsWith("--reason=")) reason = a.slice("--reason=".length);
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else positional.push(a);
  }
  const [command = "", ...rest] = positional;
  if (!help && !["list", "show", "promote", "rollback"].includes(command)) {
    throw new Error(command === "" ? "missing a subcommand" : `unknown subcommand "${command}"`);
  }
  return { command, positional: rest, json, reason, help };
}

async function run(registry: ModelRegistry, a: ParsedArgs): Promise<string> {
  const [name, second] = a.positional;
  const need = (count: number, what: string) => {
    if (a.positional.length < count) throw new UsageError(`${a.command} needs ${what}`);
    if (a.positional.length > count + (a.command === "show" || a.command === "list" ? 1 : 0)) throw new UsageError(`too many arguments to ${a.command}`);
  };
  switch (a.command) {
    case "list": {
      need(0, "");
      if (name === undefined) {
        const models = await registry.models();
        return a.json ? json(models) : modelsTable(models, registry);
      }
      const versions = await registry.list(name);
      return a.json ? json(versions) : versionsTable(name, versions);
    }
    case "show": {
      need(1, "a model name");
      const model = await registry.get(name!, second ?? (await defaultVersion(registry, name!)));
      return a.json ? json(model) : showVersion(model);
    }
    case "promote": {
      need(2, "a model name and a version");
      const change = await registry.promote(name!, second!, { reason: a.reason ?? "manual promotion (edgeflow models promote)" });
      return a.json ? json(change) : changeLine(change, "promoted");
    }
    default: {
      need(1, "a model name");
      const change = await registry.rollback(name!, { reason: a.reason ?? "manual rollback (edgeflow models rollback)" });
      return a.json ? json(change) : changeLine(change, "rolled back");
    }
  }
}

async function defaultVersion(registry: ModelRegistry, name: string): Promise<string> {
  const { aliases } = await registry.aliases(name);
  return aliases[CHAMPION] ?? "latest";
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

function modelsTable(models: ModelSummary[], registry: ModelRegistry): string {
  if (models.length === 0) return `no models in the ${registry.backend} registry at ${registry.location}`;
  return table(
    ["MODEL", "VERSIONS", "LATEST", "CHAMPION", "OTHER ALIASES"],
    models.map((m) => [
      m.name,
      String(m.versions.length),
      m.versions.at(-1) ?? "-",
      m.aliases[CHAMPION] ?? "-",
      Object.entries(m.aliases)
        .filter(([alias]) => alias !== CHAMPION)
        .map(([alias, v]) => `${alias}=${v}`)
        .join(" ") || "-",
    ]),
  );
}

function versionsTable(name: string, versions: ModelVersion[]): string {
  if (versions.length === 0) return `${name}: no versions`;
  const keys = versions[0]!.card.task === "regression" ? ["rmse", "mae", "r2"] : ["auc", "cost"];
  return table(
    ["VERSION", "ALIASES", "CREATED", "CHOSEN", ...keys.map((k) => k.toUpperCase()), "GATE", "SHA256"],
    versions.map((v) => [
      v.version,
      v.aliases.join(",") || "-",
      v.card.created.slice(0, 19).replace("T", " "),
      v.card.chosen.name,
      ...keys.map((k) => metric(v.card.metrics.test[k])),
      v.card.gate === undefined ? "-" : v.card.gate.promote ? "pass" : "refused",
      v.card.modelSha256.slice(0, 12),
    ]),
  );
}

function showVersion(v: ModelVersion): string {
  const c = v.card;
  const lines: Array<[string, string]> = [
    ["model", v.name],
    ["version", v.version],
    ["aliases", v.aliases.join(", ") || "-"],
    ["task", c.task],
    ["use case", c.useCase],
    ["label", c.label],
    ["created", c.created],
    ["chosen", `${c.chosen.name} ${JSON.stringify(c.chosen.params)}`],
    ["test metrics", Object.entries(c.metrics.test).map(([k, x]) => `${k}=${metric(x)}`).join("  ")],
    ["feature spec", `${c.featureSpec.name} v${c.featureSpec.version} (${c.featureSpec.features.length} features) ${c.featureSpecHash}`],
    ["model sha256", c.modelSha256],
    ["snapshot", `${c.snapshot.id} (${c.snapshot.rows} rows, ${c.snapshot.from} .. ${c.snapshot.to})`],
    ["onnx", `${c.onnx.kind} opset ${c.onnx.opset}, ${c.onnx.input} → ${c.onnx.output}`],
    ["parent", c.parent ?? "-"],
    ["source", v.source],
  ];
  if (c.threshold !== undefined && c.threshold !== null) lines.push(["threshold", String(c.threshold)]);
  if (c.gate !== undefined) lines.push(["gate", `${c.gate.promote ? "pass" : "refused"}: ${c.gate.reasons.join("; ")}`]);
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, x]) => `${k.padEnd(width)}  ${x}`).join("\n");
}

function changeLine(change: AliasChange, verb: string): string {
  return `${change.model}: ${verb}, ${change.alias} ${change.previousVersion ?? "(none)"} → ${change.version} (event ${change.event.eventId})`;
}

function metric(x: number | undefined): string {
  return x === undefined ? "-" : String(Number(x.toPrecision(4)));
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
