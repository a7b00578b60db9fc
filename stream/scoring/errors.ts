// Typed errors of model serving.
import { EdgeflowError } from "../../schemas/index.ts";

/** The model's feature spec is not the one this scorer computes: it would be fed the wrong inputs. */
export class FeatureSpecMismatch extends EdgeflowError {
  constructor(model: string, expected: string, actual: string) {
    super("FEATURE_SPEC_MISMATCH", `${model} expects features with spec hash ${actual}, this scorer computes ${expected}`);
  }
}

/** model.onnx does not hash to the card's modelSha256, or its signature differs from the card. */
export class ModelLoadRefused extends EdgeflowError {
  constructor(model: string, reason: string) {
    super("MODEL_LOAD_REFUSED", `${model}: ${reason}`);
  }
}
