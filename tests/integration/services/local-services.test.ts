// deploy/local/services.sh on its own state folder and ports, so it never touches the
// services the rest of the suite uses: `up` twice is harmless, `down` leaves nothing running.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const home = mkdtempSync(join(tmpdir(), "edgeflow-services-"));
const env = { ...process.env, EDGEFLOW_HOME: home, INFLUX_PORT: "18086", INFLUX_RPC_PORT: "18088", PROMETHEUS_PORT: "19090" };
const names = ["influxdb", "prometheus"];

function services(...args: string[]) {
  const r = spawnSync("bash", [join(ROOT, "deploy/local/services.sh"), ...args], { env, encoding: "utf8", timeout: 180_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function pids(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of services("status", ...names).out.split("\n")) {
    const m = /^(\S+) running pid=(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** A process that exists and is not a zombie waiting to be reaped by init. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

afterAll(() => {
  services("down", ...names);
  rmSync(home, { recursive: true, force: true });
});

describe("deploy/local services", () => {
  it("starts, is harmless when started again, and stops everything it started", async () => {
    const first = services("up", ...names);
    expect(first.code, first.out).toBe(0);
    const before = pids();
    expect(Object.keys(before).sort()).toEqual([...names].sort());
    expect((await fetch("http://127.0.0.1:18086/ping")).status).toBe(204);
    expect((await fetch("http://127.0.0.1:19090/-/ready")).status).toBe(200);

    const second = services("up", ...names);
    expect(second.code, second.out).toBe(0);
    expect(second.out).toMatch(/already running/);
    expect(pids()).toEqual(before);
    expect(readFileSync(join(home, "services/env"), "utf8")).toContain("INFLUX_URL=http://127.0.0.1:18086");

    const down = services("down", ...names);
    expect(down.code, down.out).toBe(0);
    for (const pid of Object.values(before)) expect(alive(pid), `pid ${pid} still running`).toBe(false);
    expect(services("status", ...names).out).toMatch(/^influxdb stopped$/m);
  });
});
