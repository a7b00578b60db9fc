// Cross-process mutual exclusion and crash-safe writes for the file registry.
//
// The lock is a file created with O_CREAT|O_EXCL (`open(path, "wx")`), which exactly one
// process wins on a local file system; it holds the owner's pid, host and start time. A lock
// whose owner is a dead pid on this host, or that is older than `staleMs`, is broken. Two
// processes breaking the same stale lock at the same instant could both proceed; holders
// keep the lock for milliseconds, so a lock old enough to be broken is a crashed holder's.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { RegistryLockTimeout } from "./errors.ts";

export interface LockOptions {
  timeoutMs?: number;
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  at: number;
}

export async function withFileLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  const started = Date.now();
  const me: LockOwner = { pid: process.pid, host: hostname(), at: Date.now() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(JSON.stringify({ ...me, at: Date.now() }));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await readOwner(path);
    // An unreadable lock is being written or was left empty by a holder that died creating it.
    const stale = owner !== null ? isStale(owner, staleMs) : await olderThan(path, Math.min(staleMs, 5_000));
    if (stale) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      throw new RegistryLockTimeout(path, Date.now() - started, owner ? `pid ${owner.pid} on ${owner.host}` : "an unknown process");
    }
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)) + Math.random() * 10);
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

async function readOwner(path: string): Promise<LockOwner | null> {
  try {
    const owner = JSON.parse(await readFile(path, "utf8")) as LockOwner;
    return typeof owner.pid === "number" && typeof owner.at === "number" ? owner : null;
  } catch {
    // Being written right now, or just released: look again on the next round.
    return null;
  }
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > ms;
}

function isStale(owner: LockOwner, staleMs: number): boolean {
  if (Date.now() - owner.at > staleMs) return true;
  if (owner.host !== hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes a file so that readers see the old content or the new, never a part: a temporary
 * file in the same folder, fsynced, renamed over the target, then the folder fsynced so the
 * rename itself survives a crash.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomUUID()}`);
  const handle = await open(tmp, "w");
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await syncDir(dirname(path));
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
