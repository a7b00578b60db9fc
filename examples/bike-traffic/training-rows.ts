// Training rows for the bike use case: every event goes through the same feature function
// the stream runs; a row is the features emitted at hour t joined with the count that
// arrived for t + 1 ("log and wait"). Incomplete rows (cold start, gaps) are not trainable.
import type { BikeCountEvent } from "../../schemas/index.ts";
import { stepBikeFeatures, type BikeCounterState, type BikeFeatureRow } from "../../stream/features/index.ts";
import type { SnapshotRow } from "../../services/retrainer/snapshot.ts";

export interface TrainingRowFilter {
  /** Keep rows whose target hour is ≥ from (epoch ms). */
  from?: number;
  /** Keep rows whose target hour is < to (epoch ms). */
  to?: number;
}

export async function* bikeTrainingRows(
  events: AsyncIterable<BikeCountEvent> | Iterable<BikeCountEvent>,
  filter: TrainingRowFilter = {},
): AsyncGenerator<SnapshotRow> {
  const states = new Map<string, BikeCounterState>();
  const pending = new Map<string, BikeFeatureRow>();
  for await (const event of events) {
    const waiting = pending.get(event.counterId);
    if (waiting && waiting.targetTime === event.timestamp) {
      pending.delete(event.counterId);
      if ((filter.from === undefined || waiting.targetTime >= filter.from) && (filter.to === undefined || waiting.targetTime < filter.to)) {
        yield { entityId: waiting.counterId, eventTime: waiting.targetTime, values: waiting.values, label: event.count };
      }
    }
    const step = stepBikeFeatures(states.get(event.counterId), event);
    states.set(event.counterId, step.state);
    if (step.kind === "features") {
      if (step.row.complete) pending.set(event.counterId, step.row);
      else pending.delete(event.counterId);
    }
  }
}
