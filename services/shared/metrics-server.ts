// Serves a service process's Prometheus metrics (prom-client's default registry) at
// http://127.0.0.1:<port>/metrics; everything else is a 404. Port 0: no server.
import { createServer, type Server } from "node:http";
import { register } from "prom-client";

export function serveMetrics(port: number): Server | null {
  if (port <= 0) return null;
  return createServer((req, res) => {
    if (req.url !== "/metrics") return void res.writeHead(404).end();
    void register.metrics().then((body) => res.writeHead(200, { "content-type": register.contentType }).end(body));
  }).listen(port, "127.0.0.1");
}
