import { describe, expect, it } from "vitest";
import { CategoricalAccumulator, CategoricalReference, NumericAccumulator, NumericReference, numericKs, numericWasserstein } from "../../../stream/drift/index.ts";
import { decodeAccumulator, encodeAccumulator } from "../../../services/monitor/accumulator-codec.ts";
import { numericProfile, normalValues } from "../../support/drift-fixtures.ts";

describe("accumulator codec", () => {
  const ref = new NumericReference("a", numericProfile(normalValues(3000, 50, 10, 7)));

  it("round-trips a numeric accumulator through JSON with identical statistics", () => {
    const acc = new NumericAccumulator(ref);
    for (const v of normalValues(500, 55, 12, 9)) acc.add(v);
    acc.add(null);
    const back = decodeAccumulator(ref, JSON.parse(JSON.stringify(encodeAccumulator(acc)))) as NumericAccumulator;
    expect(back.slotCounts).toEqual(acc.slotCounts);
    expect(back.slotOffsets).toEqual(acc.slotOffsets);
    expect(back.binCounts).toEqual(acc.binCounts);
    expect([back.count, back.missing, back.sum, back.min, back.max]).toEqual([acc.count, acc.missing, acc.sum, acc.min, acc.max]);
    expect(numericKs(back)).toEqual(numericKs(acc));
    expect(numericWasserstein(back)).toEqual(numericWasserstein(acc));
  });

  it("writes a sparse accumulator as index/value pairs, smaller than the dense arrays", () => {
    const acc = new NumericAccumulator(ref);
    for (let i = 0; i < 20; i++) acc.add(50);
    const encoded = encodeAccumulator(acc);
    expect(encoded.kind === "numeric" && "i" in encoded.slots).toBe(true);
    expect(JSON.stringify(encoded).length).toBeLessThan(acc.slotCounts.byteLength);
    const back = decodeAccumulator(ref, JSON.parse(JSON.stringify(encoded))) as NumericAccumulator;
    expect(back.slotCounts).toEqual(acc.slotCounts);
  });

  it("keeps an empty accumulator's min and max infinite", () => {
    const back = decodeAccumulator(ref, JSON.parse(JSON.stringify(encodeAccumulator(new NumericAccumulator(ref))))) as NumericAccumulator;
    expect([back.count, back.min, back.max]).toEqual([0, Infinity, -Infinity]);
  });

  it("round-trips a categorical accumulator with its unseen examples", () => {
    const cref = new CategoricalReference("c", { kind: "categorical", n: 10, missing: 0, frequencies: { x: 6, y: 4 } });
    const acc = new CategoricalAccumulator(cref);
    for (const v of ["x", "y", "x", "z", "w", null]) acc.add(v);
    const back = decodeAccumulator(cref, JSON.parse(JSON.stringify(encodeAccumulator(acc)))) as CategoricalAccumulator;
    expect(back.counts).toEqual(acc.counts);
    expect([...back.unseenExamples]).toEqual(["z", "w"]);
    expect([back.count, back.missing]).toEqual([5, 1]);
  });

  it("refuses state encoded on another reference", () => {
    const acc = new NumericAccumulator(ref);
    for (const v of normalValues(200, 50, 10, 3)) acc.add(v);
    const other = new NumericReference("a", numericProfile(normalValues(100, 0, 1, 5)));
    expect(() => decodeAccumulator(other, encodeAccumulator(acc))).toThrow(/MONITOR_PANE_STATE_MISMATCH|reference needs|beyond/);
  });
});
