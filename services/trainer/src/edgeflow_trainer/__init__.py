"""edgeflow trainer: a training snapshot (CSV + manifest) in, a model version folder out.

The folder holds `model.onnx`, `card.json`, `reference.json` (the drift monitor's training
profile) and `parity.csv` (rows a TypeScript test replays through onnxruntime-node).
"""

__version__ = "0.1.0"
