// Runs a long-lived service process: parse its configuration (a ConfigError prints its message
// and exits 78, EX_CONFIG), start it, stop it cleanly on SIGTERM or SIGINT (exit 0, or 1 when
// stopping fails), and exit 1 with one log line when starting fails. Each service's main.ts
// says only what is its own: how to configure, start and announce it.
import { exitOnConfigError } from "../../schemas/index.ts";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";

export interface StoppableService {
  stop(): Promise<void>;
}

export interface ServiceDefinition<C, S extends StoppableService> {
  /** Logger component of the process's own lines ("scorer", "monitor", …). */
  component: string;
  /** Parses the configuration once, before anything starts. */
  config(): C;
  start(config: C): Promise<S>;
  /** Called once started: the service's "running" line. */
  started?(service: S, config: C, log: Logger): void;
  /** Logged with the signal when a stop begins (default "stopping"). */
  stopping?: string;
  /** Logged with the error when configuring or starting fails otherwise than by a ConfigError. */
  failed: string;
}

export function runService<C, S extends StoppableService>(definition: ServiceDefinition<C, S>): void {
  const log = createLogger(definition.component);
  const main = async () => {
    let config: C;
    try {
      config = definition.config();
    } catch (error) {
      exitOnConfigError(error);
    }
    const service = await definition.start(config);
    definition.started?.(service, config, log);
    const shutdown = (signal: string) => {
      log.info(definition.stopping ?? "stopping", { signal });
      service.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error("stop failed", { error });
          process.exit(1);
        },
      );
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
  };
  main().catch((error: unknown) => {
    log.error(definition.failed, { error });
    process.exit(1);
  });
}
