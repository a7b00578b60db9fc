// Closes a vitest run with one plain line — `vitest: N passed, N failed, N skipped` — that
// tools reading a log can count without parsing vitest's coloured summary. When
// EDGEFLOW_TEST_SUMMARY names a file, the same counts are written there as JSON (.ci/run
// adds them to the trainer's pytest counts for its own closing line).
import { writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed") failedHere += 1;
        else skipped += 1;
      }
      // A file that failed outside its tests (import, a hook) is a failure even if none of
      // its tests is marked failed.
      if (module.state() === "failed" && failedHere === 0) failedHere = 1;
      failed += failedHere;
    }
    failed += unhandledErrors.length;
    const line = `vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`;
    process.stdout.write(`\n${line}\n`);
    const file = process.env.EDGEFLOW_TEST_SUMMARY;
    if (file) writeFileSync(file, JSON.stringify({ runner: "vitest", passed, failed, skipped }) + "\n");
  }
}
