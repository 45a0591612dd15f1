// The relay's write thread: a second SQLite connection that does every write (see writes.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { Storage } from './db';
import { WRITE_OPS, type WriteReply, type WriteRequest } from './writes';

const { path, synchronous } = workerData as { path: string; synchronous: 'full' | 'normal' };
const storage = new Storage(path, { synchronous });
const port = parentPort!;

port.on('message', ({ id, op, args }: WriteRequest) => {
  if (op === 'close') {
    storage.close();
    port.close();
    return;
  }
  let reply: WriteReply;
  try {
    if (!(WRITE_OPS as readonly string[]).includes(op)) throw new Error(`not a write: ${op}`);
    reply = { id, result: (storage[op] as (...a: unknown[]) => unknown)(...args) };
  } catch (error) {
    reply = { id, error: (error as Error).message };
  }
  port.postMessage(reply);
});
