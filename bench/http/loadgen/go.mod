module edgeflow.dev/bench/loadgen

go 1.19
