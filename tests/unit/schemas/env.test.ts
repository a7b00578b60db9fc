import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, edgeflowHome, envBool, envInt, envList, parseEnv } from "../../../schemas/index.ts";

const Schema = z.object({
  PORT: envInt(8080, 1, 65535),
  KAFKA_BROKERS: envList(["127.0.0.1:9092"]),
  AUTH: envBool(true),
});

describe("parseEnv", () => {
  it("applies defaults when variables are unset", () => {
    expect(parseEnv(Schema, {})).toEqual({ PORT: 8080, KAFKA_BROKERS: ["127.0.0.1:9092"], AUTH: true });
  });

  it("parses lists, integers and booleans", () => {
    expect(parseEnv(Schema, { PORT: "9000", KAFKA_BROKERS: "a:1, b:2", AUTH: "false" })).toEqual({
      PORT: 9000,
      KAFKA_BROKERS: ["a:1", "b:2"],
      AUTH: false,
    });
  });

  it("stops with an error that names every bad variable and its value", () => {
    const error = (() => {
      try {
        parseEnv(Schema, { PORT: "80000", AUTH: "maybe" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(["PORT", "AUTH"]);
    expect((error as Error).message).toContain('PORT="80000": expected an integer between 1 and 65535');
    expect((error as Error).message).toContain('AUTH="maybe"');
  });
});

describe("edgeflowHome", () => {
  it("is EDGEFLOW_HOME when set, else .edgeflow at the repository root whatever the working directory", () => {
    expect(edgeflowHome({ EDGEFLOW_HOME: "/srv/edgeflow" })).toBe("/srv/edgeflow");
    expect(edgeflowHome({})).toBe(join(resolve(import.meta.dirname, "../../.."), ".edgeflow"));
  });
});
