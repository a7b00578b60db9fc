// The protobuf reader behind the compiled trees: varints up to int64 (ONNX writes -1 as ten
// bytes), packed and unpacked repeated fields, nested messages, and input that ends early.
import { describe, expect, it } from "vitest";
import { readProto } from "../../../stream/scoring/onnx-proto.ts";
import { bytes, float32, tag as field, varint } from "../../support/protobuf.ts";

describe("readProto", () => {
  it("reads int64 varints, negative ones included, packed or one per field", () => {
    const values = [0n, 1n, 127n, 128n, 300n, 2n ** 40n, 2n ** 53n - 1n, -1n, -2n, -(2n ** 40n)];
    const unpacked = values.flatMap((v) => [...field(1, 0), ...varint(v)]);
    const packed = bytes(2, values.flatMap(varint));
    const msg = readProto(Uint8Array.from([...unpacked, ...packed]));
    expect(msg.ints(1)).toEqual(values.map(Number));
    expect(msg.ints(2)).toEqual(values.map(Number));
    expect(msg.int(1)).toBe(Number(values.at(-1)));
    expect(msg.ints(3)).toEqual([]);
  });

  it("reads floats packed and fixed32, strings, and nested messages", () => {
    const wire = [
      ...bytes(7, [...float32(1.5), ...float32(-0.25), ...float32(Number.NaN)]),
      ...field(2, 5),
      ...float32(3.25),
      ...bytes(9, [...Buffer.from("BRANCH_LEQ")]),
      ...bytes(9, [...Buffer.from("größe")]),
      ...bytes(5, [...bytes(1, [...Buffer.from("inner")]), ...field(3, 0), ...varint(42n)]),
    ];
    const msg = readProto(Uint8Array.from(wire));
    expect(msg.floats(7)).toEqual([1.5, -0.25, Number.NaN]);
    expect(msg.float(2)).toBe(3.25);
    expect(msg.strings(9)).toEqual(["BRANCH_LEQ", "größe"]);
    const [inner] = msg.messages(5);
    expect(inner!.string(1)).toBe("inner");
    expect(inner!.int(3)).toBe(42);
  });

  it("refuses input that ends inside a field or uses a wire type ONNX does not", () => {
    expect(() => readProto(Uint8Array.from([...field(1, 2), 10, 1, 2]))).toThrow(/field 1 runs past the end/);
    expect(() => readProto(Uint8Array.from([...field(1, 0), 0x80]))).toThrow(/varint runs past the end/);
    expect(() => readProto(Uint8Array.from([...field(1, 3)]))).toThrow(/wire type 3/);
    expect(() => readProto(Uint8Array.from([...field(1, 0), 1])).strings(1)).toThrow(/where a string was expected/);
  });
});
