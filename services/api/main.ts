// The HTTP scoring API process: parse config, start, stop cleanly on SIGTERM/SIGINT.
import { exitOnConfigError } from "../../schemas/index.ts";
import { runService } from "../shared/index.ts";
import { startApi } from "./server.ts";

runService({
  component: "api",
  // startApi parses the environment itself and also refuses to start without API keys: a
  // ConfigError from either is a configuration error (exit 78).
  config: () => process.env,
  start: async (env) => {
    const api = await startApi(env).catch(exitOnConfigError);
    return { url: api.url, stop: () => api.close() };
  },
  started: (api) => process.stdout.write(`${JSON.stringify({ listening: api.url })}\n`),
  failed: "api failed to start",
});
