// Typed errors of the model registry. Card contract violations use SchemaViolation from
// schemas/; everything else the registry refuses or fails at has its own class here.
import { EdgeflowError } from "../../schemas/index.ts";

/** model.onnx does not hash to what its card says: never register, promote or serve it. */
export class ModelIntegrityError extends EdgeflowError {
  readonly model: string;
  readonly version: string | null;
  readonly expected: string;
  readonly actual: string;
  constructor(model: string, version: string | null, expected: string, actual: string, where: string) {
    super(
      "MODEL_INTEGRITY",
      `${model}${version === null ? "" : ` v${version}`}: sha256 of model.onnx (${where}) is ${actual}, the card expects ${expected}`,
    );
    this.model = model;
    this.version = version;
    this.expected = expected;
    this.actual = actual;
  }
}

/** No such model, version or alias. */
export class ModelNotFoundError extends EdgeflowError {
  constructor(message: string) {
    super("MODEL_NOT_FOUND", message);
  }
}

/** A folder handed to `register` lacks a file a version must have. */
export class ModelFolderInvalid extends EdgeflowError {
  constructor(folder: string, reason: string) {
    super("MODEL_FOLDER_INVALID", `${folder}: ${reason}`);
  }
}

/** `rollback` with no earlier champion to go back to. */
export class NoPreviousChampion extends EdgeflowError {
  constructor(model: string) {
    super("NO_PREVIOUS_CHAMPION", `${model}: there is no previous champion to roll back to`);
  }
}

/** Another process holds the registry lock longer than we were willing to wait. */
export class RegistryLockTimeout extends EdgeflowError {
  constructor(lockPath: string, waitedMs: number, holder: string) {
    super("REGISTRY_LOCKED", `${lockPath} is held by ${holder}; gave up after ${waitedMs} ms`, { retriable: true });
  }
}

/** The backend (file system or MLflow server) failed or answered something unexpected. */
export class RegistryBackendError extends EdgeflowError {
  readonly status: number | null;
  constructor(message: string, options: { status?: number | null; retriable?: boolean; cause?: unknown } = {}) {
    super("REGISTRY_BACKEND", message, { retriable: options.retriable ?? false, cause: options.cause });
    this.status = options.status ?? null;
  }
}

/**
 * The registry change is durable but its model-event was not published. Retriable: the
 * event is attached so the caller can publish it again (consumers dedupe on `eventId`).
 */
export class ModelEventNotPublished extends EdgeflowError {
  readonly event: unknown;
  constructor(event: { type: string; model: string; version: string }, cause: unknown) {
    super(
      "MODEL_EVENT_NOT_PUBLISHED",
      `${event.model} v${event.version}: ${event.type} is recorded but its model-event was not published: ${(cause as Error)?.message ?? String(cause)}`,
      { retriable: true, cause },
    );
    this.event = event;
  }
}

/** A model or alias name the registry will not store (path-unsafe, or one that reads as a version). */
export class InvalidRegistryName extends EdgeflowError {
  constructor(name: string, rule: string) {
    super("REGISTRY_NAME_INVALID", `"${name}": ${rule}`);
  }
}
