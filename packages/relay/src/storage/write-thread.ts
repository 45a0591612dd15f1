// The relay's write thread: a second SQLite connection that does every write (see writes.ts).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { SqliteDatabase } from './sqlite';
import { WRITE_OPS, type WriteReply, type WriteRequest } from './writes';

const { path, synchronous, extraPort } = workerData as { path: string; synchronous: 'full' | 'normal'; extraPort?: MessagePort };
const storage = new SqliteDatabase(path, { synchronous });
const port = parentPort! as unknown as MessagePort;

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

/** A request and the port its answer goes back through. */
let queue: { request: WriteRequest; from: MessagePort }[] = [];
let scheduled = false;

function drain(): void {
  scheduled = false;
  const work = queue.filter((q) => q.request.op !== 'close');
  const closing = work.length < queue.length;
  queue = [];
  if (work.length > 0) {
    let replies: WriteReply[];
    try {
      // A failed op rolls back only its own savepoint (or statement); a failed commit fails them all.
      replies = everything.immediate(work.map((q) => q.request));
    } catch (error) {
      replies = work.map(({ request }) => ({ id: request.id, error: (error as Error).message }));
    }
    replies.forEach((reply, i) => work[i]!.from.postMessage(reply));
  }
  if (closing) {
    storage.close();
    extraPort?.close();
    port.close();
  }
}

function listen(from: MessagePort): void {
  from.on('message', (request: WriteRequest) => {
    queue.push({ request, from });
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  });
}

listen(port);
if (extraPort) listen(extraPort);
