// Group commit: which requests leave together for the store, and when.
import { SqliteStore } from '../storage/sqlite-store';
import type { EventRecord, Store } from '../storage/store';
import { incomingEvent } from '../test-support';
import { IntakeWriter } from './writer';

/** A real (in-memory SQLite) store whose writes each wait until the test lets them go; the sizes of the batches it was given. */
function gatedStore() {
  const { store } = SqliteStore.open({ path: ':memory:', synchronous: 'normal' });
  const batches: number[] = [];
  const gates: (() => void)[] = [];
  const gated = Object.create(store) as Store;
  gated.storeEvents = (records: readonly EventRecord[]) => {
    batches.push(records.length);
    return new Promise<void>((go) => gates.push(go)).then(() => store.storeEvents(records));
  };
  return { store: gated, batches, release: (i: number) => gates[i]!() };
}

const turn = () => new Promise((r) => setImmediate(r));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await turn();
  expect(check()).toBe(true);
}

describe('IntakeWriter', () => {
  test('by default the requests of each event-loop turn leave at once, whatever is under way', async () => {
    const { store, batches, release } = gatedStore();
    const writer = new IntakeWriter(store, () => undefined);
    const first = [writer.store(incomingEvent())];
    await turn();
    const second = [writer.store(incomingEvent()), writer.store(incomingEvent())];
    await until(() => batches.length === 2);
    expect(batches).toEqual([1, 2]);
    release(1);
    release(0);
    const results = await Promise.all([...first, ...second]);
    expect(results.map((r) => r.duplicate)).toEqual([false, false, false]);
    expect(new Set(results.map((r) => r.rowid)).size).toBe(3);
  });

  test('with limits, another batch leaves while one is under way only once enough requests wait, and never more than maxInFlight', async () => {
    const { store, batches, release } = gatedStore();
    let commits = 0;
    const writer = new IntakeWriter(store, () => commits++, { maxInFlight: 2, minBatchWhileBusy: 3 });
    const answers = [writer.store(incomingEvent())];
    await until(() => batches.length === 1);
    // Two waiting: fewer than three, so they wait for the batch under way.
    answers.push(writer.store(incomingEvent()), writer.store(incomingEvent()));
    await turn();
    await turn();
    expect(batches).toEqual([1]);
    // A third: they leave together, beside the first.
    answers.push(writer.store(incomingEvent()));
    await until(() => batches.length === 2);
    expect(batches).toEqual([1, 3]);
    // Two under way: five more wait, however many they are, until one of them is done.
    for (let i = 0; i < 5; i++) answers.push(writer.store(incomingEvent()));
    await turn();
    await turn();
    expect(batches).toEqual([1, 3]);
    release(0);
    await until(() => batches.length === 3);
    expect(batches).toEqual([1, 3, 5]);
    release(1);
    release(2);
    const results = await Promise.all(answers);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(new Set(results.map((r) => r.rowid)).size).toBe(9);
    expect(commits).toBe(3); // each batch stored deliveries, so each woke the worker
  });
});
