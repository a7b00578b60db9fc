// Accumulators as plain JSON, so a window's panes live in the processor's state store (the
// Kafka changelog, the embedded runtime's state file) and survive a restart or a rebalance.
// Typed arrays are written as base64, densely or as (index, value) pairs, whichever is
// smaller: a week of hourly counts touches a few hundred of a feature's ≤ 4001 slots.
// Decoding needs the same reference the accumulator was built on; a shape mismatch (another
// reference) is refused, never silently merged.
import { CategoricalAccumulator, NumericAccumulator, type FeatureAccumulator, type FeatureReference } from "../../stream/drift/index.ts";
import { PaneStateMismatch } from "./errors.ts";

type Packed = { d: string } | { i: string; v: string };

type TypedArray = Uint32Array | Float64Array;

function pack(arr: TypedArray): Packed {
  let nonZero = 0;
  for (let i = 0; i < arr.length; i++) if (arr[i] !== 0) nonZero += 1;
  if (nonZero * (4 + arr.BYTES_PER_ELEMENT) >= arr.byteLength) {
    return { d: Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).toString("base64") };
  }
  const index = new Uint32Array(nonZero);
  const values = new (arr.constructor as { new (n: number): TypedArray })(nonZero);
  let j = 0;
  for (let i = 0; i < arr.length; i++) {
    if (arr[i] !== 0) {
      index[j] = i;
      values[j] = arr[i]!;
      j += 1;
    }
  }
  return { i: Buffer.from(index.buffer).toString("base64"), v: Buffer.from(values.buffer).toString("base64") };
}

function bytesOf(text: string, what: string, elementBytes: number): ArrayBuffer {
  const buf = Buffer.from(text, "base64");
  if (buf.length % elementBytes !== 0) throw new PaneStateMismatch(what, `${buf.length} bytes is not a whole number of elements`);
  // Copy: Buffer.from may share a pool whose offset is not aligned for typed-array views.
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer;
}

function unpack(into: TypedArray, packed: Packed, what: string): void {
  const element = into.BYTES_PER_ELEMENT;
  const Ctor = into.constructor as { new (b: ArrayBuffer): TypedArray };
  if ("d" in packed) {
    const values = new Ctor(bytesOf(packed.d, what, element));
    if (values.length !== into.length) throw new PaneStateMismatch(what, `holds ${values.length} entries, the reference needs ${into.length}`);
    into.set(values);
    return;
  }
  const index = new Uint32Array(bytesOf(packed.i, what, 4));
  const values = new Ctor(bytesOf(packed.v, what, element));
  if (index.length !== values.length) throw new PaneStateMismatch(what, "index and value lists differ in length");
  for (let j = 0; j < index.length; j++) {
    const i = index[j]!;
    if (i >= into.length) throw new PaneStateMismatch(what, `entry ${i} is beyond the reference's ${into.length}`);
    into[i] = values[j]!;
  }
}

export interface EncodedNumeric {
  kind: "numeric";
  slots: Packed;
  offsets: Packed;
  bins: Packed;
  count: number;
  missing: number;
  sum: number;
  /** null when empty (JSON has no Infinity). */
  min: number | null;
  max: number | null;
}

export interface EncodedCategorical {
  kind: "categorical";
  counts: Packed;
  unseen: string[];
  count: number;
  missing: number;
}

export type EncodedAccumulator = EncodedNumeric | EncodedCategorical;

export function encodeAccumulator(acc: FeatureAccumulator): EncodedAccumulator {
  if (acc.kind === "numeric") {
    return {
      kind: "numeric",
      slots: pack(acc.slotCounts),
      offsets: pack(acc.slotOffsets),
      bins: pack(acc.binCounts),
      count: acc.count,
      missing: acc.missing,
      sum: acc.sum,
      min: Number.isFinite(acc.min) ? acc.min : null,
      max: Number.isFinite(acc.max) ? acc.max : null,
    };
  }
  return { kind: "categorical", counts: pack(acc.counts), unseen: [...acc.unseenExamples], count: acc.count, missing: acc.missing };
}

/** Rebuilds an accumulator on `reference` from its encoding. */
export function decodeAccumulator(reference: FeatureReference, encoded: EncodedAccumulator): FeatureAccumulator {
  const what = `pane state of ${reference.feature}`;
  if (encoded.kind !== reference.kind) throw new PaneStateMismatch(what, `is ${encoded.kind}, the reference is ${reference.kind}`);
  if (reference.kind === "numeric" && encoded.kind === "numeric") {
    const acc = new NumericAccumulator(reference);
    unpack(acc.slotCounts, encoded.slots, `${what} (slots)`);
    unpack(acc.slotOffsets, encoded.offsets, `${what} (offsets)`);
    unpack(acc.binCounts, encoded.bins, `${what} (bins)`);
    acc.count = encoded.count;
    acc.missing = encoded.missing;
    acc.sum = encoded.sum;
    acc.min = encoded.min ?? Infinity;
    acc.max = encoded.max ?? -Infinity;
    return acc;
  }
  const acc = new CategoricalAccumulator(reference as Extract<FeatureReference, { kind: "categorical" }>);
  const e = encoded as EncodedCategorical;
  unpack(acc.counts, e.counts, `${what} (counts)`);
  for (const name of e.unseen) acc.unseenExamples.add(name);
  acc.count = e.count;
  acc.missing = e.missing;
  return acc;
}
