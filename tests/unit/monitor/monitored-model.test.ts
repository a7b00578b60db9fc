import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMonitoredModel, normaliseReference } from "../../../services/monitor/monitored-model.ts";
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

  it("leaves out a feature with no training value and says why", () => {
    const { profile, notMonitored } = normaliseReference({ features: { x: { kind: "numeric", n: 0, missing: 10 }, y: { kind: "numeric", n: 3, min: 1, max: 2 } } });
    expect(Object.keys((profile as { features: object }).features)).toEqual(["y"]);
    expect(notMonitored).toEqual([{ feature: "x", reason: "no value in the training rows" }]);
  });
});
