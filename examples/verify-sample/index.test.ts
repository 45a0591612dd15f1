// eslint-disable-next-line @typescript-eslint/no-require-imports
const { run } = require('./index.js') as { run: (log: (l: string) => void) => void };

test('verify-sample signs and verifies one event of every provider', () => {
  const lines: string[] = [];
  run((l) => lines.push(l));
  expect(lines).toHaveLength(5);
  expect(lines[0]).toMatch(/^TrackScore .*x-trackscore-signature .*→ score\.updated wh_1234567890abcdef — pt_555666777 scored 850 → 950/);
});
