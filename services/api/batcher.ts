// Request-level micro-batching: rows of concurrent requests for the same model go into one
// ONNX call. A tree ensemble scores 100 rows in a few times the cost of one, so under load
// this multiplies throughput; with one request in flight it adds nothing — a batch starts
// at the end of the event-loop turn that queued its first row, and while it runs the next
// one fills. Each request keeps the model it captured, so a swap never mixes versions.
import { HotHistogram } from "../../stream/runtime/hot-metrics.ts";
import type { LoadedModel } from "../../stream/scoring/index.ts";

const inferenceRows = HotHistogram.of({
  name: "edgeflow_api_inference_batch_rows",
  help: "Rows per ONNX call after micro-batching concurrent requests",
  labelNames: [],
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
}).labels();

interface Pending {
  rows: Float32Array;
  n: number;
  resolve(values: Float32Array): void;
  reject(error: unknown): void;
}

interface Queue {
  pending: Pending[];
  scheduled: boolean;
}

export class PredictionBatcher {
  private readonly queues = new WeakMap<LoadedModel, Queue>();

  /** `maxRows`: a batch stops growing here (a single larger request still runs, alone). */
  constructor(private readonly maxRows = 1_024) {}

  predict(model: LoadedModel, rows: Float32Array, n: number): Promise<Float32Array> {
    let queue = this.queues.get(model);
    if (!queue) {
      queue = { pending: [], scheduled: false };
      this.queues.set(model, queue);
    }
    const q = queue;
    return new Promise<Float32Array>((resolve, reject) => {
      q.pending.push({ rows, n, resolve, reject });
      if (!q.scheduled) {
        q.scheduled = true;
        setImmediate(() => void this.drain(model, q));
      }
    });
  }

  private async drain(model: LoadedModel, q: Queue): Promise<void> {
    while (q.pending.length > 0) {
      const batch: Pending[] = [];
      let total = 0;
      while (q.pending.length > 0 && (batch.length === 0 || total + q.pending[0]!.n <= this.maxRows)) {
        const p = q.pending.shift()!;
        batch.push(p);
        total += p.n;
      }
      let input: Float32Array;
      if (batch.length === 1) input = batch[0]!.rows;
      else {
        input = new Float32Array(total * model.nFeatures);
        let offset = 0;
        for (const p of batch) {
          input.set(p.rows, offset);
          offset += p.rows.length;
        }
      }
      inferenceRows.observe(total);
      try {
        const values = await model.predict(input, total);
        if (batch.length === 1) batch[0]!.resolve(values);
        else {
          let at = 0;
          for (const p of batch) {
            p.resolve(values.slice(at, at + p.n));
            at += p.n;
          }
        }
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    q.scheduled = false;
  }
}
