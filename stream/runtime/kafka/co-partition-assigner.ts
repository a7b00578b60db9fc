// A partition assigner that gives partition p of every subscribed topic to the same member,
// so a processor with several inputs keyed alike (predictions + events) sees all of a key's
// records in one place, with one state store per partition number.
import type { PartitionAssigner } from "kafkajs";
import { AssignerProtocol } from "./kafkajs.ts";

export const CoPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: "EdgeflowCoPartition",
  version: 1,
  async assign({ members, topics }) {
    const sorted = members.map((m) => m.memberId).sort();
    const plan = new Map<string, Record<string, number[]>>(sorted.map((id) => [id, {}]));
    for (const topic of topics) {
      const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).sort((a, b) => a - b);
      for (const p of partitions) {
        const member = plan.get(sorted[p % sorted.length]!)!;
        (member[topic] ??= []).push(p);
      }
    }
    return sorted.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: plan.get(memberId)!, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: "EdgeflowCoPartition", metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
