// Just enough of the protobuf wire format to read an ONNX graph's nodes and attributes:
// varints, 32/64-bit fixed values and length-delimited fields, packed or not. Fields are
// decoded lazily by number; nothing here knows ONNX beyond what the caller asks for.

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;

export interface ProtoFields {
  messages(field: number): ProtoFields[];
  string(field: number): string | undefined;
  strings(field: number): string[];
  int(field: number): number | undefined;
  ints(field: number): number[];
  float(field: number): number | undefined;
  floats(field: number): number[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text; short ASCII (node modes, names: tens of thousands per model) without TextDecoder's per-call cost. */
function text(bytes: Uint8Array, at: number, length: number): string {
  if (length <= 64) {
    let out = "";
    for (let i = at; i < at + length; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) return utf8.decode(bytes.subarray(at, at + length));
      out += String.fromCharCode(b);
    }
    return out;
  }
  return utf8.decode(bytes.subarray(at, at + length));
}

export function readProto(bytes: Uint8Array): ProtoFields {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Per field number, flat triples (wire type, value, length): VARINT keeps its value,
  // the others the offset of their payload. Models hold tens of thousands of fields: no
  // object per field.
  const fields = new Map<number, number[]>();
  let at = 0;
  while (at < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, at);
    at = afterTag;
    const wire = tag % 8;
    const number = Math.floor(tag / 8);
    let value: number;
    let length = 0;
    if (wire === VARINT) [value, at] = readVarint(bytes, at);
    else if (wire === FIXED64 || wire === FIXED32) {
      value = at;
      length = wire === FIXED64 ? 8 : 4;
    } else if (wire === LENGTH) {
      [length, at] = readVarint(bytes, at);
      value = at;
    } else throw new Error(`wire type ${wire} (field ${number}) is not supported`);
    at += length;
    if (at > bytes.length) throw new Error(`field ${number} runs past the end`);
    const list = fields.get(number);
    if (list) list.push(wire, value, length);
    else fields.set(number, [wire, value, length]);
  }
  const each = (n: number, visit: (wire: number, value: number, length: number) => void): void => {
    const list = fields.get(n);
    if (list) for (let k = 0; k < list.length; k += 3) visit(list[k]!, list[k + 1]!, list[k + 2]!);
  };
  const ints = (n: number): number[] => {
    const out: number[] = [];
    each(n, (wire, value, length) => {
      if (wire === VARINT) out.push(value);
      else if (wire === LENGTH) {
        for (let o = value; o < value + length; ) {
          out.push(varintAt(bytes, o));
          o = cursor;
          if (o > value + length) throw new Error(`field ${n}: a packed varint runs past its field`);
        }
      } else throw new Error(`field ${n}: wire type ${wire} where integers were expected`);
    });
    return out;
  };
  const floats = (n: number): number[] => {
    const out: number[] = [];
    each(n, (wire, value, length) => {
      if (wire === FIXED32) out.push(view.getFloat32(value, true));
      else if (wire === LENGTH) {
        if (length % 4 !== 0) throw new Error(`field ${n}: ${length} bytes of packed floats`);
        for (let o = value; o < value + length; o += 4) out.push(view.getFloat32(o, true));
      } else throw new Error(`field ${n}: wire type ${wire} where floats were expected`);
    });
    return out;
  };
  const lengthDelimited = (n: number, what: string, read: (value: number, length: number) => void): void =>
    each(n, (wire, value, length) => {
      if (wire !== LENGTH) throw new Error(`field ${n}: wire type ${wire} where ${what} was expected`);
      read(value, length);
    });
  const strings = (n: number): string[] => {
    const out: string[] = [];
    lengthDelimited(n, "a string", (value, length) => out.push(text(bytes, value, length)));
    return out;
  };
  return {
    messages: (n) => {
      const out: ProtoFields[] = [];
      lengthDelimited(n, "a message", (value, length) => out.push(readProto(bytes.subarray(value, value + length))));
      return out;
    },
    string: (n) => strings(n).at(-1),
    strings,
    int: (n) => ints(n).at(-1),
    ints,
    float: (n) => floats(n).at(-1),
    floats,
  };
}

/**
 * One varint at `at`: [value, offset after it]. Values are int64 read as two's complement
 * (ONNX's -1 sentinels are ten bytes); beyond 2^53 they are not exact, which no field read
 * here needs.
 */
function readVarint(bytes: Uint8Array, at: number): [number, number] {
  const value = varintAt(bytes, at);
  return [value, cursor];
}

/** Offset just after the varint varintAt last read (no tuple per value: models hold 10^5-10^6). */
let cursor = 0;

function varintAt(bytes: Uint8Array, at: number): number {
  let low = 0;
  let scale = 1;
  let i = at;
  for (let n = 0; n < 7; n++) {
    if (i >= bytes.length) throw new Error("a varint runs past the end");
    const b = bytes[i++]!;
    low += (b & 0x7f) * scale;
    if (b < 0x80) {
      cursor = i;
      return low;
    }
    scale *= 128;
  }
  // Eight bytes or more: finish in BigInt and read the 64 bits as signed.
  let big = BigInt(low);
  let shift = 49n;
  for (let n = 7; n < 10; n++) {
    if (i >= bytes.length) throw new Error("a varint runs past the end");
    const b = bytes[i++]!;
    big |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) {
      cursor = i;
      return Number(BigInt.asIntN(64, big));
    }
    shift += 7n;
  }
  throw new Error("a varint longer than 10 bytes");
}
