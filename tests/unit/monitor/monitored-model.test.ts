import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMonitoredModel } from "../../../services/monitor/monitored-model.ts";
import { writeDriftModelFolder } from "../../support/drift-fixtures.ts";

describe("monitored model", () => {
  it("monitors a constant numeric feature as a one-category profile, as docs/drift.md advises", async () => {
    const model = await loadMonitoredModel(writeDriftModelFolder(mkdtempSync(join(tmpdir(), "ef-mm-"))));
    expect(model.columns).toEqual([
      { feature: "a", index: 0 },
      { feature: "b", index: 1 },
      { feature: "flag", index: 2 },
    ]);
    const flag = model.reference.features.get("flag")!;
    expect(flag.kind).toBe("categorical");
    expect(flag.kind === "categorical" && flag.categories).toEqual(["0"]);
    expect(model.version).toBe("1");
  });

  it("leaves out a feature with no training value and says why", async () => {
    const dir = writeDriftModelFolder(mkdtempSync(join(tmpdir(), "ef-mm-")));
    const reference = JSON.parse(readFileSync(join(dir, "reference.json"), "utf8"));
    // As the trainer writes an all-missing feature.
    reference.features.x = { kind: "numeric", n: 0, missing: 10, mean: null, std: null, min: null, max: null, quantileEdges: [], binCounts: [], sample: [] };
    writeFileSync(join(dir, "reference.json"), JSON.stringify(reference));
    const model = await loadMonitoredModel(dir);
    expect([...model.reference.features.keys()]).toEqual(["a", "b", "flag"]);
    expect(model.columns.map((c) => c.feature)).toEqual(["a", "b", "flag"]);
    expect(model.notMonitored).toEqual([{ feature: "x", reason: "no value in the training rows" }]);
  });
});
