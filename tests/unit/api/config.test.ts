// API configuration: defaults that work on one machine, and a bad value named in the error.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../schemas/index.ts";
import { apiConfig } from "../../../services/api/index.ts";

describe("apiConfig", () => {
  it("defaults to 127.0.0.1:8080, 1,000 records, 4 MiB bodies, a 10 s champion poll", () => {
    expect(apiConfig({})).toMatchObject({
      PORT: 8080,
      HOST: "127.0.0.1",
      EDGEFLOW_MODEL_NAME: "bike-next-hour",
      EDGEFLOW_API_MAX_BATCH: 1000,
      EDGEFLOW_API_BODY_LIMIT_BYTES: 4 * 1024 * 1024,
      EDGEFLOW_API_RATE_PER_SECOND: 1000,
      EDGEFLOW_API_RATE_BURST: 2000,
      EDGEFLOW_API_POLL_SECONDS: 10,
    });
  });

  it("names each bad variable", () => {
    try {
      apiConfig({ PORT: "http", EDGEFLOW_API_MAX_BATCH: "0" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variables.sort()).toEqual(["EDGEFLOW_API_MAX_BATCH", "PORT"]);
    }
  });
});
