import fc from 'fast-check';
import { parseSse } from './sse';

describe('parseSse (the console stream parser)', () => {
  test('multi-line data fields join with newlines; comments and unknown fields are skipped', () => {
    const { messages, rest } = parseSse(': keep-alive\n\nretry: 1000\n\nevent: event\ndata: {"a":\ndata: 1}\nid: 7\n\ndata:plain\n\n');
    expect(messages).toEqual([
      { event: 'event', data: '{"a":\n1}' },
      { event: 'message', data: 'plain' },
    ]);
    expect(JSON.parse(messages[0]!.data)).toEqual({ a: 1 });
    expect(rest).toBe('');
  });

  test('CRLF and CR line endings; an unfinished message is kept for the next chunk', () => {
    const { messages, rest } = parseSse('event: stats\r\ndata: 1\r\n\r\nevent: delivery\rdata: 2\r\rdata: 3');
    expect(messages).toEqual([
      { event: 'stats', data: '1' },
      { event: 'delivery', data: '2' },
    ]);
    expect(rest).toBe('data: 3');
  });

  test('property: any split of a stream into chunks yields the same messages', () => {
    const message = fc.record({
      event: fc.constantFrom('event', 'delivery', 'stats'),
      lines: fc.array(fc.string({ unit: fc.constantFrom('a', '{', '"', ' ', ':', 'é') }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 5 }), (list, cuts) => {
        const text = list.map((m) => `event: ${m.event}\n${m.lines.map((l) => `data: ${l}\n`).join('')}\n`).join('');
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const got: { event: string; data: string }[] = [];
        let buffer = '';
        let last = 0;
        for (const p of [...points, text.length]) {
          buffer += text.slice(last, p);
          last = p;
          const parsed = parseSse(buffer);
          got.push(...parsed.messages);
          buffer = parsed.rest;
        }
        expect(got).toEqual(list.map((m) => ({ event: m.event, data: m.lines.join('\n') })));
      }),
    );
  });
});
