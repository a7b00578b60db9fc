// Typed errors shared by every area: a stable `code` for callers and logs, and `retriable`
// so a runtime knows whether to try again or send the input to the dead-letter topic.

export interface Issue {
  /** Dotted path of the offending field, e.g. `count` or `records.3.time`. */
  path: string;
  message: string;
}

export class EdgeflowError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** A value does not match its contract (zod or Avro); `issues` names every offending field. */
export class SchemaViolation extends EdgeflowError {
  readonly issues: Issue[];
  constructor(subject: string, issues: Issue[], cause?: unknown) {
    super("SCHEMA_VIOLATION", `${subject}: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`, {
      cause,
    });
    this.issues = issues;
  }
}

/** Bytes that cannot be decoded at all (wrong magic byte, unknown schema id, truncated Avro). */
export class DecodeError extends EdgeflowError {
  constructor(subject: string, reason: string, cause?: unknown) {
    super("DECODE_FAILED", `${subject}: ${reason}`, { cause });
  }
}

/** An environment variable or config file value is missing or invalid. */
export class ConfigError extends EdgeflowError {
  readonly variables: string[];
  constructor(message: string, variables: string[]) {
    super("CONFIG_INVALID", message);
    this.variables = variables;
  }
}

/** A data file is malformed or out of the order its reader promises. */
export class DataFormatError extends EdgeflowError {
  constructor(source: string, line: number, reason: string) {
    super("DATA_FORMAT", `${source}:${line}: ${reason}`);
  }
}
