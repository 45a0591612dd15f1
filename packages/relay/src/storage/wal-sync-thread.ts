// The WAL's sync thread (see WalSync): fdatasync back to back while the main thread counts commits.
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { WalSyncData, WalSyncMessage } from './wal-sync';

/**
 * Syncs while the count of commits moves: each `sync` covers every commit counted before it began, and `report`
 * says how far. Sleeps on the count when it stands still; returns when it turns negative (closed) or a sync fails.
 */
export function syncLoop(commits: BigInt64Array, sync: () => void, report: (message: WalSyncMessage) => void): void {
  let synced = 0n;
  for (;;) {
    const counted = Atomics.load(commits, 0);
    if (counted < 0n) return;
    if (counted === synced) {
      Atomics.wait(commits, 0, counted);
      continue;
    }
    try {
      sync();
    } catch (error) {
      report({ error: (error as Error).message });
      return;
    }
    synced = counted;
    report({ synced });
  }
}

if (require.main === module && parentPort) {
  const { walPath, commits } = workerData as WalSyncData;
  // fsync is per file, not per descriptor: syncing this one covers SQLite's writes to the WAL.
  const fd = openSync(walPath, 'r');
  const port = parentPort;
  syncLoop(
    commits,
    () => fdatasyncSync(fd),
    (message) => port.postMessage(message),
  );
  closeSync(fd);
}
