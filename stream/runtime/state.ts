// Per-key state with a write overlay: a batch's writes are visible to the batch at once but
// reach the committed map only when the runtime commits the batch, so an aborted batch
// leaves state exactly as it was.
import type { StateStore } from "./processor.ts";

const DELETED = Symbol("deleted");

export class OverlayStateStore<S> implements StateStore<S> {
  readonly committed = new Map<string, S>();
  private readonly pending = new Map<string, S | typeof DELETED>();

  get(key: string): S | undefined {
    const p = this.pending.get(key);
    if (p === DELETED) return undefined;
    return p !== undefined ? p : this.committed.get(key);
  }

  put(key: string, value: S): void {
    this.pending.set(key, value);
  }

  delete(key: string): void {
    this.pending.set(key, DELETED);
  }

  /** The batch's writes: value, or null for a delete. */
  changes(): Array<[string, S | null]> {
    return [...this.pending].map(([k, v]) => [k, v === DELETED ? null : v]);
  }

  commit(): void {
    for (const [k, v] of this.pending) {
      if (v === DELETED) this.committed.delete(k);
      else this.committed.set(k, v);
    }
    this.pending.clear();
  }

  abort(): void {
    this.pending.clear();
  }

  /** Replaces committed state wholesale (restore). */
  load(entries: Iterable<[string, S]>): void {
    this.committed.clear();
    this.pending.clear();
    for (const [k, v] of entries) this.committed.set(k, v);
  }
}
