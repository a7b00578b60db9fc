// One topic of the embedded runtime: an append-only file of framed records. Appends are
// buffered until the runtime commits; readers only ever see committed bytes, and recovery
// truncates whatever was written after the last commit.
//
// Frame: u32 key length | u32 value length (0xffffffff = null) | f64 timestamp | key | value.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";

const HEADER = 16;
const NULL_LEN = 0xffffffff;

export interface LogRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  /** Byte position of the record in the file: its offset. */
  position: number;
  /** Position of the next record. */
  next: number;
}

export class TopicLog {
  private readonly fd: number;
  private committed: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    readonly topic: string,
    readonly path: string,
    committedLength: number,
  ) {
    this.fd = openSync(path, existsSync(path) ? "r+" : "w+");
    const size = fstatSync(this.fd).size;
    if (size < committedLength) {
      throw new Error(`${path} is ${size} bytes but the last commit recorded ${committedLength}: the log was truncated outside edgeflow`);
    }
    // Bytes past the last commit belong to a batch that never committed.
    if (size > committedLength) ftruncateSync(this.fd, committedLength);
    this.committed = committedLength;
  }

  get committedLength(): number {
    return this.committed;
  }

  get pendingLength(): number {
    return this.pendingBytes;
  }

  append(key: Buffer | string | null, value: Buffer | null, timestamp: number): void {
    const k = key === null ? null : Buffer.isBuffer(key) ? key : Buffer.from(key);
    const frame = Buffer.allocUnsafe(HEADER + (k?.length ?? 0) + (value?.length ?? 0));
    frame.writeUInt32LE(k === null ? NULL_LEN : k.length, 0);
    frame.writeUInt32LE(value === null ? NULL_LEN : value.length, 4);
    frame.writeDoubleLE(timestamp, 8);
    let at = HEADER;
    if (k) at += k.copy(frame, at);
    if (value) value.copy(frame, at);
    this.pending.push(frame);
    this.pendingBytes += frame.length;
  }

  /** Writes pending appends (not yet visible) and fsyncs; returns the new length. */
  flush(): number {
    if (this.pendingBytes === 0) return this.committed;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written, data.length - written, this.committed + written);
    fsyncSync(this.fd);
    return this.committed + data.length;
  }

  /** Makes flushed bytes visible to readers (after the commit manifest is durable). */
  publish(length: number): void {
    this.committed = length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Drops appends that were never flushed (an aborted batch). */
  discard(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Reads up to `max` committed records starting at a byte position. */
  read(from: number, max: number, maxBytes = 4 * 1024 * 1024): LogRecord[] {
    if (from >= this.committed) return [];
    let window = Math.min(this.committed - from, maxBytes);
    let buf = this.readAt(from, window);
    const first = recordSize(buf, 0);
    if (first > window) buf = this.readAt(from, (window = first)); // one record larger than the window
    const out: LogRecord[] = [];
    let at = 0;
    while (out.length < max && window - at >= HEADER) {
      const size = recordSize(buf, at);
      if (window - at < size) break;
      const kl = buf.readUInt32LE(at);
      const vl = buf.readUInt32LE(at + 4);
      const kStart = at + HEADER;
      const vStart = kStart + sizeOf(kl);
      out.push({
        key: kl === NULL_LEN ? null : Buffer.from(buf.subarray(kStart, kStart + kl)),
        value: vl === NULL_LEN ? null : Buffer.from(buf.subarray(vStart, vStart + vl)),
        timestamp: buf.readDoubleLE(at + 8),
        position: from + at,
        next: from + at + size,
      });
      at += size;
    }
    return out;
  }

  private readAt(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, position + got);
      if (n === 0) throw new Error(`${this.path}: unexpected end of file at ${position + got}`);
      got += n;
    }
    return buf;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function recordSize(buf: Buffer, at: number): number {
  return HEADER + sizeOf(buf.readUInt32LE(at)) + sizeOf(buf.readUInt32LE(at + 4));
}

function sizeOf(len: number): number {
  return len === NULL_LEN ? 0 : len;
}
