import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RegistryLockTimeout } from "../../../services/registry/index.ts";
import { withFileLock, writeFileAtomic } from "../../../services/registry/file-lock.ts";

const dir = mkdtempSync(join(tmpdir(), "edgeflow-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("withFileLock", () => {
  it("runs critical sections one at a time and removes the lock afterwards", async () => {
    const lock = join(dir, "serial.lock");
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        withFileLock(lock, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });

  it("breaks a lock left by a process that no longer exists", async () => {
    const lock = join(dir, "dead.lock");
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), at: Date.now() }));
    expect(await withFileLock(lock, async () => "ran", { timeoutMs: 2_000 })).toBe("ran");
  });

  it("breaks a lock older than staleMs even when its owner looks alive", async () => {
    const lock = join(dir, "old.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() - 120_000 }));
    expect(await withFileLock(lock, async () => "ran", { timeoutMs: 2_000, staleMs: 60_000 })).toBe("ran");
  });

  it("gives up with a retriable RegistryLockTimeout naming the holder while a live process holds it", async () => {
    const lock = join(dir, "held.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), at: Date.now() }));
    const error = await withFileLock(lock, async () => "ran", { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryLockTimeout);
    expect((error as RegistryLockTimeout).retriable).toBe(true);
    expect((error as Error).message).toContain(`pid ${process.ppid}`);
    expect(existsSync(lock)).toBe(true);
  });

  it("releases the lock when the critical section throws", async () => {
    const lock = join(dir, "throws.lock");
    await expect(withFileLock(lock, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(existsSync(lock)).toBe(false);
  });
});

describe("writeFileAtomic", () => {
  it("replaces the content and leaves no temporary file behind", async () => {
    const path = join(dir, "aliases.json");
    await writeFileAtomic(path, "old");
    await writeFileAtomic(path, '{"aliases":{}}');
    expect(readFileSync(path, "utf8")).toBe('{"aliases":{}}');
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});
