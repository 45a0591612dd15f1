// Copies the WAL into the database file off the main thread, so the writer's own checkpoint (SQLite's, every 1,000
// pages, which also lets the WAL start over) finds little left to copy and holds the main thread for less time.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, everyMs } = workerData as { path: string; everyMs: number };
const db = new Database(path);
// Synced as a checkpoint must be: the WAL before the database is written, the database after.
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    // PASSIVE: never waits for or blocks the writer; a round that finds another checkpoint running just skips.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or closing: the next round (or the writer's own checkpoint) does it
  }
}, everyMs);

parentPort!.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
