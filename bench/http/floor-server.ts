// The floor: a responder that does nothing but answer. It reads HTTP/1.1 requests off the
// socket (headers, then Content-Length bytes of body) and writes one fixed 200 JSON answer
// the size of an OIP response for each. Measured with the same generator at the same rate,
// interleaved with edgeflow's runs, it shows what latency the machine itself gives at that
// moment (a VM's scheduling stalls, the generator, loopback TCP): a run in which the floor
// already misses a latency goal says nothing about the server under test.
//
// With BURN_US it also spins that many microseconds of CPU per request before answering: a
// responder as costly as the server under test but with none of its code, so a reader sees
// what latency any server of that CPU cost per request gets here at that moment.
//
//   node --import tsx bench/http/floor-server.ts PORT [BURN_US]
import { createServer } from "node:net";

const body = JSON.stringify({ model_name: "bike-next-hour", model_version: "1", id: "00000000-0000-4000-8000-000000000000", outputs: [{ name: "variable", shape: [1, 1], datatype: "FP32", data: [125.14474487304688] }] });
const answer = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
const HEAD_END = Buffer.from("\r\n\r\n");

const port = Number(process.argv[2]);
const burnMs = Number(process.argv[3] ?? 0) / 1000;
if (!Number.isInteger(port) || port <= 0 || !(burnMs >= 0)) {
  process.stderr.write("usage: floor-server.ts PORT [BURN_US]\n");
  process.exit(2);
}

createServer((socket) => {
  let pending: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const headEnd = pending.indexOf(HEAD_END);
      if (headEnd < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(pending.toString("latin1", 0, headEnd));
      const end = headEnd + 4 + (length ? Number(length[1]) : 0);
      if (pending.length < end) return;
      if (burnMs > 0) {
        const until = performance.now() + burnMs;
        while (performance.now() < until);
      }
      socket.write(answer);
      pending = pending.subarray(end);
    }
  });
  socket.on("error", () => socket.destroy());
}).listen(port, "127.0.0.1");
