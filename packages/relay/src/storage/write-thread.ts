// The relay's write thread: a second SQLite connection that does every write (see writes.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { Storage } from './db';
import { WRITE_OPS, type WriteReply, type WriteRequest } from './writes';

const { path, synchronous } = workerData as { path: string; synchronous: 'full' | 'normal' };
const storage = new Storage(path, { synchronous });
const port = parentPort!;

function perform({ id, op, args }: WriteRequest): WriteReply {
  try {
    if (!(WRITE_OPS as readonly string[]).includes(op)) throw new Error(`not a write: ${op}`);
    return { id, result: (storage[op as (typeof WRITE_OPS)[number]] as (...a: unknown[]) => unknown)(...args) };
  } catch (error) {
    return { id, error: (error as Error).message };
  }
}

// Group commit across every kind of write: whatever queued up while the last commit was
// being fsynced (intake batches, claims, attempt results) shares the next one.
const everything = storage.db.transaction((requests: WriteRequest[]) => requests.map(perform));

let queue: WriteRequest[] = [];
let scheduled = false;

function drain(): void {
  scheduled = false;
  const requests = queue.filter((r) => r.op !== 'close');
  const closing = requests.length < queue.length;
  queue = [];
  if (requests.length > 0) {
    let replies: WriteReply[];
    try {
      // A failed op rolls back only its own savepoint (or statement); a failed commit fails them all.
      replies = everything.immediate(requests);
    } catch (error) {
      replies = requests.map(({ id }) => ({ id, error: (error as Error).message }));
    }
    for (const reply of replies) port.postMessage(reply);
  }
  if (closing) {
    storage.close();
    port.close();
  }
}

port.on('message', (request: WriteRequest) => {
  queue.push(request);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
});
