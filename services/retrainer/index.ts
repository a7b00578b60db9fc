// The retrainer: triggers (drift, degradation, schedule, manual) → de-duplication and
// cooldown → one run at a time (snapshot → trainer → gate on the same holdout → promote or
// reject), recorded on retrain-runs. main.ts runs it as a service; cli.ts is `edgeflow retrain`.
export * from "./trigger-gate.ts";
export * from "./run-state.ts";
export { runRetrain, retrainRunsTotal, NothingToTrainOn, type RetrainDeps, type RetrainSettings } from "./retrain.ts";
export { Retrainer, subscribeDriftEvents, type AutomaticTrigger, type RetrainerOptions } from "./retrainer.ts";
export { KafkaRunRecorder, MemoryRunRecorder, type RunRecorder } from "./run-recorder.ts";
export { recentTrainingRows, type RecentRows, type RecentRowsRequest } from "./training-rows.ts";
export { readHoldout, scoreOnHoldout, HoldoutUnusable, type HoldoutRows } from "./holdout.ts";
export { retrainerConfig, RetrainerEnv } from "./config.ts";
export { startRetrainer, retrainerParts, retrainSettings, type RunningRetrainer, type RetrainerParts } from "./service.ts";
export { writeSnapshot, type SnapshotManifest, type SnapshotRow } from "./snapshot.ts";
export { runTrainer, trainerPython, TrainerFailed, type TrainRequest, type TrainResult } from "./trainer-process.ts";
