// Holds the model a scorer serves and swaps it. A swap loads and verifies the new version
// completely before it becomes current; a batch keeps the model it started with, so every
// prediction names the version that made it. A refused model leaves the current one serving.
import { Counter, register } from "prom-client";
import { createLogger } from "../runtime/log.ts";
import { loadModelFolder, type LoadedModel } from "./onnx-model.ts";

const swaps =
  (register.getSingleMetric("edgeflow_model_swaps_total") as Counter | undefined) ??
  new Counter({ name: "edgeflow_model_swaps_total", help: "Model loads that became current", labelNames: ["model", "version"] });
const swapFailures =
  (register.getSingleMetric("edgeflow_model_swap_failures_total") as Counter | undefined) ??
  new Counter({ name: "edgeflow_model_swap_failures_total", help: "Model versions refused at load", labelNames: ["model", "code"] });

export class ModelHolder {
  private model: LoadedModel;
  /** Work in flight per model (use()); a replaced model is closed once its count is 0. */
  private readonly inUse = new Map<LoadedModel, number>();
  private readonly retired = new Set<LoadedModel>();
  private readonly log = createLogger("model-holder");

  constructor(
    initial: LoadedModel,
    private readonly expectedFeatureSpecHash: string,
    private readonly closeDelayMs = 5_000,
  ) {
    this.model = initial;
    swaps.inc({ model: initial.name, version: initial.version });
  }

  static async fromFolder(dir: string, expectedFeatureSpecHash: string): Promise<ModelHolder> {
    return new ModelHolder(await loadModelFolder(dir, { expectedFeatureSpecHash }), expectedFeatureSpecHash);
  }

  current(): LoadedModel {
    return this.model;
  }

  /**
   * Runs `work` with the current model and keeps that model open until it is done, however
   * long it takes and whatever is swapped in meanwhile (a batch of tens of thousands of rows
   * on a busy machine can outlast any fixed grace period).
   */
  async use<T>(work: (model: LoadedModel) => Promise<T> | T): Promise<T> {
    const model = this.model;
    this.inUse.set(model, (this.inUse.get(model) ?? 0) + 1);
    try {
      return await work(model);
    } finally {
      const left = this.inUse.get(model)! - 1;
      if (left > 0) this.inUse.set(model, left);
      else {
        this.inUse.delete(model);
        if (this.retired.has(model)) this.release(model);
      }
    }
  }

  private release(model: LoadedModel): void {
    this.retired.delete(model);
    // current() callers may still be about to run on it: give them the grace period too.
    setTimeout(() => void model.close().catch(() => undefined), this.closeDelayMs).unref();
  }

  /** Loads, verifies and switches to the version in `dir`; throws (and keeps serving) if refused. */
  async swapToFolder(dir: string): Promise<LoadedModel> {
    let next: LoadedModel;
    try {
      next = await loadModelFolder(dir, { expectedFeatureSpecHash: this.expectedFeatureSpecHash });
    } catch (error) {
      swapFailures.inc({ model: this.model.name, code: (error as { code?: string }).code ?? "LOAD_FAILED" });
      this.log.error("model refused; the current one keeps serving", { dir, serving: `${this.model.name} v${this.model.version}`, error });
      throw error;
    }
    const previous = this.model;
    this.model = next;
    swaps.inc({ model: next.name, version: next.version });
    this.log.info("model swapped", { model: next.name, from: previous.version, to: next.version, engine: next.engine });
    // Batches that started on the previous model finish on it; release it afterwards.
    if (this.inUse.has(previous)) this.retired.add(previous);
    else this.release(previous);
    return next;
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
