// A thin client for the parts of the MLflow REST API 2.0 the registry uses: experiments,
// runs, registered models, model versions, aliases and tags (`/api/2.0/mlflow/...`), and the
// tracking server's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/...`, which needs
// `mlflow server --serve-artifacts`, the default since MLflow 2.0).
import { RegistryBackendError } from "./errors.ts";

export interface MlflowError {
  status: number;
  errorCode: string | null;
  message: string;
}

export interface MlflowModelVersion {
  name: string;
  version: string;
  source?: string;
  run_id?: string;
  status?: string;
  creation_timestamp?: number;
  tags?: Array<{ key: string; value: string }>;
  aliases?: string[];
}

export interface MlflowRegisteredModel {
  name: string;
  tags?: Array<{ key: string; value: string }>;
  aliases?: Array<{ alias: string; version: string }>;
}

export class MlflowClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(trackingUri: string, options: { timeoutMs?: number } = {}) {
    this.baseUrl = trackingUri.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Calls `/api/2.0/mlflow/<path>`; a JSON body for POST/PATCH/DELETE, query parameters for GET. */
  async call<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body: Record<string, unknown> = {}): Promise<T> {
    let url = `${this.baseUrl}/api/2.0/mlflow/${path}`;
    const init: RequestInit = { method, headers: { accept: "application/json" }, signal: AbortSignal.timeout(this.timeoutMs) };
    if (method === "GET") {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) if (v !== undefined) query.set(k, String(v));
      if ([...query].length > 0) url += `?${query}`;
    } else {
      init.headers = { ...init.headers, "content-type": "application/json" };
      init.body = JSON.stringify(body);
    }
    const response = await this.fetch(url, init, `${method} ${path}`);
    const text = await response.text();
    if (!response.ok) throw this.failure(`${method} ${path}`, response.status, text);
    return (text.length > 0 ? JSON.parse(text) : {}) as T;
  }

  /** Like `call`, but a RESOURCE_DOES_NOT_EXIST (or another listed code) answer gives null. */
  async callOrNull<T>(method: "GET" | "POST" | "DELETE", path: string, body: Record<string, unknown>, codes: string[] = ["RESOURCE_DOES_NOT_EXIST"]): Promise<T | null> {
    try {
      return await this.call<T>(method, path, body);
    } catch (error) {
      if (error instanceof MlflowRequestError && error.errorCode !== null && codes.includes(error.errorCode)) return null;
      throw error;
    }
  }

  /** URL of an artifact behind the proxy, from an `mlflow-artifacts:` URI and a relative path. */
  artifactUrl(artifactUri: string, relative = ""): string {
    const path = proxyPath(artifactUri);
    const tail = relative.length > 0 ? `/${relative.split("/").map(encodeURIComponent).join("/")}` : "";
    return `${this.baseUrl}/api/2.0/mlflow-artifacts/artifacts/${path.split("/").map(encodeURIComponent).join("/")}${tail}`;
  }

  async uploadArtifact(artifactUri: string, relative: string, bytes: Uint8Array): Promise<void> {
    const url = this.artifactUrl(artifactUri, relative);
    const response = await this.fetch(url, { method: "PUT", body: bytes, headers: { "content-type": "application/octet-stream" }, signal: AbortSignal.timeout(this.timeoutMs) }, `PUT artifact ${relative}`);
    if (!response.ok) throw this.failure(`PUT artifact ${relative}`, response.status, await response.text());
    await response.arrayBuffer();
  }

  /** Bytes of one artifact, or null if the server has none at that path. */
  async downloadArtifact(artifactUri: string, relative: string): Promise<Buffer | null> {
    const url = this.artifactUrl(artifactUri, relative);
    const response = await this.fetch(url, { method: "GET", signal: AbortSignal.timeout(this.timeoutMs) }, `GET artifact ${relative}`);
    if (response.status === 404) {
      await response.arrayBuffer();
      return null;
    }
    if (!response.ok) throw this.failure(`GET artifact ${relative}`, response.status, await response.text());
    return Buffer.from(await response.arrayBuffer());
  }

  /** Every file under an artifact folder, as paths relative to it. */
  async listArtifacts(artifactUri: string, relative = ""): Promise<string[]> {
    const base = proxyPath(artifactUri);
    const path = relative.length > 0 ? `${base}/${relative}` : base;
    const url = `${this.baseUrl}/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path })}`;
    const response = await this.fetch(url, { method: "GET", signal: AbortSignal.timeout(this.timeoutMs) }, "list artifacts");
    const text = await response.text();
    if (!response.ok) throw this.failure(`list artifacts ${path}`, response.status, text);
    const files = ((JSON.parse(text) as { files?: Array<{ path: string; is_dir?: boolean }> }).files ?? []);
    const out: string[] = [];
    for (const f of files) {
      // The proxy answers with names relative to the listed folder.
      const rel = relative.length > 0 ? `${relative}/${f.path}` : f.path;
      if (f.is_dir) out.push(...(await this.listArtifacts(artifactUri, rel)));
      else out.push(rel);
    }
    return out.sort();
  }

  private async fetch(url: string, init: RequestInit, what: string): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw new RegistryBackendError(`MLflow at ${this.baseUrl}: ${what} failed: ${(error as Error).message}`, { retriable: true, cause: error });
    }
  }

  private failure(what: string, status: number, text: string): MlflowRequestError {
    let errorCode: string | null = null;
    let message = text.slice(0, 500);
    try {
      const body = JSON.parse(text) as { error_code?: string; message?: string };
      errorCode = body.error_code ?? null;
      message = body.message ?? message;
    } catch {
      // not JSON: keep the raw text
    }
    return new MlflowRequestError(`MLflow at ${this.baseUrl}: ${what}: HTTP ${status} ${errorCode ?? ""} ${message}`.trim(), status, errorCode);
  }
}

export class MlflowRequestError extends RegistryBackendError {
  readonly errorCode: string | null;
  constructor(message: string, status: number, errorCode: string | null) {
    super(message, { status, retriable: status >= 500 || status === 429 });
    this.errorCode = errorCode;
  }
}

/** `mlflow-artifacts:/2/<run>/artifacts/model` (or with `//host:port`) → `2/<run>/artifacts/model`. */
export function proxyPath(artifactUri: string): string {
  if (!artifactUri.startsWith("mlflow-artifacts:")) {
    throw new RegistryBackendError(
      `artifact location ${artifactUri} is not served by the tracking server's artifact proxy; run \`mlflow server --serve-artifacts\` (the default) so runs get mlflow-artifacts: locations`,
    );
  }
  let rest = artifactUri.slice("mlflow-artifacts:".length);
  if (rest.startsWith("//")) rest = rest.slice(2).replace(/^[^/]*/, "");
  return rest.replace(/^\/+/, "").replace(/\/+$/, "");
}
