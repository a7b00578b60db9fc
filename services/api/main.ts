// The HTTP scoring API process: parse config, start, stop cleanly on SIGTERM/SIGINT.
import { exitOnConfigError } from "../../schemas/index.ts";
import { createLogger } from "../../stream/runtime/index.ts";
import { startApi } from "./server.ts";

const log = createLogger("api");

async function main(): Promise<void> {
  const api = await startApi().catch(exitOnConfigError);
  process.stdout.write(`${JSON.stringify({ listening: api.url })}\n`);
  const shutdown = (signal: string) => {
    log.info("stopping", { signal });
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error("stop failed", { error });
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  log.error("api failed to start", { error });
  process.exit(1);
});
