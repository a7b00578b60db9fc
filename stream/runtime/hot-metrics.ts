// Counters and histograms for per-request paths, on prom-client's default registry with the
// same exposition as prom-client's own (`_bucket{le=…}`, `_sum`, `_count`). prom-client
// hashes the label object on every inc/observe, even through `.labels()` children: ≈ 20 µs
// of a 150 µs request at 5,000 requests/s on the API's fast lane. Here a child is resolved
// once, through nested maps (no key strings), and an observation is a bucket scan and two
// additions. Everything else keeps using prom-client's classes.
import { register, type Metric } from "prom-client";

type Labels = Record<string, string>;

interface Child<T> {
  labels: Labels;
  state: T;
}

/** Label values → child, one map level per label; no string is built per lookup. */
class Children<T> {
  private readonly root = new Map<string, unknown>();
  readonly all: Array<Child<T>> = [];

  constructor(
    private readonly labelNames: readonly string[],
    private readonly make: () => T,
  ) {}

  get(values: readonly string[]): T {
    if (values.length !== this.labelNames.length) {
      throw new RangeError(`expected ${this.labelNames.length} label values (${this.labelNames.join(", ")}), got ${values.length}`);
    }
    let level = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]!) as Map<string, unknown> | undefined;
      if (!next) level.set(values[i]!, (next = new Map()));
      level = next;
    }
    const key = values[last] ?? "";
    let state = level.get(key) as T | undefined;
    if (state === undefined) {
      state = this.make();
      level.set(key, state);
      this.all.push({ labels: Object.fromEntries(this.labelNames.map((n, i) => [n, values[i]!])), state });
    }
    return state;
  }

  /** Every child's state, in the order first used. */
  states(): T[] {
    return this.all.map((c) => c.state);
  }
}

interface Options {
  name: string;
  help: string;
  labelNames: readonly string[];
}

function registerOnce<T extends { name: string }>(metric: T): T {
  const existing = register.getSingleMetric(metric.name) as unknown as T | undefined;
  if (existing) return existing;
  register.registerMetric(metric as unknown as Metric);
  return metric;
}

export interface CounterChild {
  inc(by?: number): void;
}

export class HotCounter {
  readonly type = "counter";
  readonly aggregator = "sum";
  readonly name: string;
  readonly help: string;
  /** As on prom-client's metrics: what dashboards and tooling read off the registry. */
  readonly labelNames: readonly string[];
  private readonly children: Children<{ value: number; child: CounterChild }>;

  private constructor(o: Options) {
    this.name = o.name;
    this.help = o.help;
    this.labelNames = [...o.labelNames];
    this.children = new Children(this.labelNames, () => {
      const cell = { value: 0, child: undefined as unknown as CounterChild };
      cell.child = {
        inc(by = 1) {
          if (!(by >= 0)) throw new RangeError(`a counter cannot go down (inc ${by})`);
          if (by === Infinity) throw new RangeError("a counter cannot grow by Infinity");
          cell.value += by;
        },
      };
      return cell;
    });
  }

  /** The metric registered under this name, or a new one registered now. */
  static of(o: Options): HotCounter {
    return registerOnce(new HotCounter(o));
  }

  labels(...values: string[]): CounterChild {
    return this.children.get(values).child;
  }

  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.children.all.map(({ labels, state }) => ({ labels, value: state.value })),
    };
  }

  /** Zeroes every child in place (children held by callers keep counting into the registry). */
  reset(): void {
    for (const state of this.children.states()) state.value = 0;
  }
}

export interface HistogramChild {
  observe(value: number): void;
}

export class HotHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  private readonly bounds: Float64Array;
  private readonly children: Children<{ counts: Float64Array; sum: number; count: number; child: HistogramChild }>;

  private constructor(o: Options & { buckets: readonly number[] }) {
    this.name = o.name;
    this.help = o.help;
    this.labelNames = [...o.labelNames];
    if (o.labelNames.includes("le")) throw new Error(`${o.name}: "le" is reserved for histogram buckets`);
    const bounds = (this.bounds = Float64Array.from([...new Set(o.buckets)].sort((a, b) => a - b)));
    this.children = new Children(this.labelNames, () => {
      // counts[i]: observations in (bounds[i-1], bounds[i]]; the last cell is +Inf.
      const cell = { counts: new Float64Array(bounds.length + 1), sum: 0, count: 0, child: undefined as unknown as HistogramChild };
      cell.child = {
        observe(value) {
          if (!Number.isFinite(value)) throw new RangeError(`${o.name}: cannot observe ${value}`);
          let i = 0;
          while (i < bounds.length && value > bounds[i]!) i++;
          cell.counts[i]!++;
          cell.sum += value;
          cell.count++;
        },
      };
      return cell;
    });
  }

  static of(o: Options & { buckets: readonly number[] }): HotHistogram {
    return registerOnce(new HotHistogram(o));
  }

  labels(...values: string[]): HistogramChild {
    return this.children.get(values).child;
  }

  async get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const { labels, state } of this.children.all) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += state.counts[i]!;
        values.push({ labels: { le: i < this.bounds.length ? this.bounds[i]! : "+Inf", ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels, value: state.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: state.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const state of this.children.states()) {
      state.counts.fill(0);
      state.sum = 0;
      state.count = 0;
    }
  }
}
