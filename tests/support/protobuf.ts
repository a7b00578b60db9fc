// Protobuf wire-format writers for hand-built test inputs (ONNX models, reader tests).
// Values are int64: a negative one is written as ten bytes of two's complement, as protoc does.
export function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
/** Field key: field number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
export const tag = (field: number, wire: number) => varint((field << 3) | wire);
export const int = (field: number, v: number | bigint) => [...tag(field, 0), ...varint(v)];
export const bytes = (field: number, b: number[] | Uint8Array) => [...tag(field, 2), ...varint(b.length), ...b];
export const str = (field: number, s: string) => bytes(field, Buffer.from(s));
export const float32 = (v: number) => [...new Uint8Array(Float32Array.of(v).buffer)];
