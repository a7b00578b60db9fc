// Structured JSON logs: one line per event on stderr, with a component and ids. Secrets are
// never passed in; `redact` masks any field whose name says it holds one.
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET = /key|token|password|secret|authorization/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

// LOG_LEVEL is re-read at most once a second: process.env is slow to read, and a busy
// service asks before every request's access log line.
let thresholdValue = ORDER.info;
let thresholdReadAt = Number.NEGATIVE_INFINITY;
function threshold(): number {
  const now = Date.now();
  if (now - thresholdReadAt >= 1_000 || now < thresholdReadAt) {
    thresholdReadAt = now;
    thresholdValue = ORDER[(process.env.LOG_LEVEL ?? "info") as Level] ?? ORDER.info;
  }
  return thresholdValue;
}

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET.test(k) && !/^(keyId|key_id|messageKey|partitionKey)$/.test(k)) out[k] = "[redacted]";
    else if (v instanceof Error) out[k] = { name: v.name, message: v.message, code: (v as { code?: unknown }).code };
    else out[k] = v;
  }
  return out;
}

export function createLogger(component: string, base: Record<string, unknown> = {}, write = (line: string) => process.stderr.write(line)): Logger {
  const emit = (level: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < threshold()) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, component, msg, ...redact(base), ...redact(fields) })}\n`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(component, { ...base, ...fields }, write),
  };
}
