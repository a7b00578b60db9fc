// The API on Node: the Hono app (every route, bodies read from the IncomingMessage) as an
// http server's listener, behind the fast front (fast-front.ts) that answers well-formed
// scoring requests itself. server.ts listens on `front.server`; without the fast lane, on `http`.
import { createServer, type Server as HttpServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { apiCore, createApiApp, type ApiApp } from "./app.ts";
import type { AppDeps } from "./context.ts";
import { createFastFront, type FastFront, type FastFrontOptions } from "./fast-front.ts";
import { createFastLane } from "./fast-lane.ts";
import { nodeBodyReader } from "./node-body.ts";

export interface NodeApi {
  app: ApiApp;
  /** Node's http server running Hono; it listens itself only when there is no front. */
  http: HttpServer;
  /** The socket to listen on with the fast lane; null without it. */
  front: FastFront | null;
}

export function createNodeApi(deps: AppDeps, options: { fastLane?: boolean; front?: FastFrontOptions } = {}): NodeApi {
  const core = apiCore(deps);
  const app = createApiApp({ ...deps, bodyReader: deps.bodyReader ?? nodeBodyReader }, core);
  const http = createServer(getRequestListener(app.fetch));
  const front = options.fastLane === false ? null : createFastFront(createFastLane(deps, core), http, options.front);
  return { app, http, front };
}
