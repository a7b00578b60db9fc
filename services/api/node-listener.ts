// The API on Node: the Hono app (every route, bodies read from the IncomingMessage) as an
// http server's listener, behind the fast front (fast-front.ts) that answers well-formed
// scoring requests itself. server.ts and the tests listen on `server`.
import { createServer } from "node:http";
import type { Server } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { apiCore, createApiApp, type ApiApp } from "./app.ts";
import type { AppDeps } from "./context.ts";
import { createFastFront, type FastFrontOptions } from "./fast-front.ts";
import { createFastLane } from "./fast-lane.ts";
import { nodeBodyReader } from "./node-body.ts";

export interface NodeApi {
  app: ApiApp;
  /** What to listen on: the fast front, or Node's http server (running Hono) without it. */
  server: Server;
  /** Closes idle keep-alive connections now; busy ones finish their request. */
  closeIdle(): void;
  /** Destroys every connection still open. */
  closeAll(): void;
}

export function createNodeApi(deps: AppDeps, options: { fastLane?: boolean; front?: FastFrontOptions } = {}): NodeApi {
  const core = apiCore(deps);
  const app = createApiApp({ ...deps, bodyReader: deps.bodyReader ?? nodeBodyReader }, core);
  const http = createServer(getRequestListener(app.fetch));
  if (options.fastLane === false) return { app, server: http, closeIdle: () => http.closeIdleConnections(), closeAll: () => http.closeAllConnections() };
  const front = createFastFront(createFastLane(deps, core), http, options.front);
  return { app, server: front.server, closeIdle: () => front.closeIdle(), closeAll: () => front.closeAll() };
}
