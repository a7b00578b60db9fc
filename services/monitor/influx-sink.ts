// The InfluxDB 1.x sink (the `influx` package): points in, line protocol over HTTP out, at
// millisecond precision. The only module of the monitor that knows InfluxDB exists.
import { InfluxDB } from "influx";
import { SinkWriteFailed } from "./errors.ts";
import type { MonitorPoint, MonitorSink } from "./points.ts";

export interface InfluxSinkOptions {
  /** e.g. http://127.0.0.1:8086 */
  url: string;
  database: string;
  username?: string;
  password?: string;
}

export class InfluxSink implements MonitorSink {
  readonly influx: InfluxDB;
  readonly database: string;

  constructor(options: InfluxSinkOptions) {
    const url = new URL(options.url);
    this.database = options.database;
    this.influx = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || 8086),
      protocol: url.protocol === "https:" ? "https" : "http",
      database: options.database,
      ...(options.username ? { username: options.username, password: options.password ?? "" } : {}),
    });
  }

  /** CREATE DATABASE is idempotent in InfluxDB 1.x. */
  async ensureDatabase(): Promise<void> {
    await this.influx.createDatabase(this.database);
  }

  async write(points: MonitorPoint[]): Promise<void> {
    if (points.length === 0) return;
    try {
      await this.influx.writePoints(
        points.map((p) => ({ measurement: p.measurement, tags: p.tags, fields: p.fields, timestamp: p.time })),
        { precision: "ms", database: this.database },
      );
    } catch (error) {
      throw new SinkWriteFailed((error as Error).message, error);
    }
  }
}
