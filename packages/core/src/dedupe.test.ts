import { MemoryIdempotencyStore } from './dedupe';

test('claims once, again after release, again after the TTL', () => {
  let now = 0;
  const store = new MemoryIdempotencyStore({ ttlMs: 1000, now: () => now });
  expect(store.claim('a')).toBe(true);
  expect(store.claim('a')).toBe(false);
  store.release('a');
  expect(store.claim('a')).toBe(true);
  now = 1001;
  expect(store.claim('a')).toBe(true);
});

test('stays within its size bound, evicting the oldest', () => {
  const store = new MemoryIdempotencyStore({ maxEntries: 3 });
  for (const k of ['a', 'b', 'c', 'd']) store.claim(k);
  expect(store.size).toBe(3);
  expect(store.claim('a')).toBe(true);
  expect(store.claim('d')).toBe(false);
});
