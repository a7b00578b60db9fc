// The trainer logs params, metrics and the version folder to a real MLflow tracking server
// (deploy/local's, SQLite store, --serve-artifacts) when MLFLOW_TRACKING_URI is set.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { readParisEvents } from "../../../examples/bike-traffic/dataset.ts";
import { bikeTrainingRows } from "../../../examples/bike-traffic/training-rows.ts";
import { BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";
import { writeSnapshot } from "../../../services/retrainer/snapshot.ts";
import { runTrainer } from "../../../services/retrainer/trainer-process.ts";

const services = inject("services");

describe("trainer → MLflow", () => {
  it("logs the run's metrics, params and artifacts to the tracking server", async () => {
    const mlflow = services.mlflowTrackingUri;
    if (!mlflow) throw new Error("no MLflow tracking server: start it with `bash deploy/local/services.sh up mlflow`");
    const dir = mkdtempSync(join(tmpdir(), "ef-mlflow-"));
    await writeSnapshot(bikeTrainingRows(readParisEvents(), { to: Date.UTC(2020, 10, 1) }), {
      dir: join(dir, "snapshot"),
      spec: BIKE_FEATURE_SPEC,
      task: "regression",
      label: "count_next_hour",
      useCase: "bike-traffic",
    });
    const name = `it-mlflow-${randomUUID().slice(0, 8)}`;
    const result = await runTrainer({
      snapshotDir: join(dir, "snapshot"),
      outDir: join(dir, "out"),
      name,
      candidates: ["ridge"],
      env: { MLFLOW_TRACKING_URI: mlflow },
    });
    const card = JSON.parse(readFileSync(join(result.outDir, "card.json"), "utf8")) as { modelSha256: string; metrics: { test: { rmse: number } } };

    const api = async (path: string, body?: unknown) => {
      const res = await fetch(`${mlflow}/api/2.0/mlflow/${path}`, body ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {});
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      return res.json() as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const { experiment } = await api(`experiments/get-by-name?experiment_name=edgeflow-${name}`);
    const { runs } = await api("runs/search", { experiment_ids: [experiment.experiment_id] });
    expect(runs).toHaveLength(1);
    const run = runs[0];
    const metrics = Object.fromEntries((run.data.metrics as Array<{ key: string; value: number }>).map((m) => [m.key, m.value]));
    expect(metrics["test.rmse"]).toBeCloseTo(card.metrics.test.rmse, 6);
    const tags = Object.fromEntries((run.data.tags as Array<{ key: string; value: string }>).map((t) => [t.key, t.value]));
    expect(tags["edgeflow.modelSha256"]).toBe(card.modelSha256);
    const params = (run.data.params as Array<{ key: string }>).map((p) => p.key);
    expect(params).toContain("snapshot.id");
    const { files } = await api(`artifacts/list?run_id=${run.info.run_id}`);
    expect((files as Array<{ path: string }>).map((f) => f.path).sort()).toEqual(["card.json", "model.onnx", "parity.csv", "reference.json"]);
  });
});
