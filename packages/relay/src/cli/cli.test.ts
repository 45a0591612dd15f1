import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@hookbridge/core';
import { buildProgram } from './main';

async function run(args: string[]): Promise<{ out: string; err: string; exitCode?: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const previous = process.exitCode;
  const program = buildProgram();
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeErr: (s) => void err.push(s), writeOut: (s) => void out.push(s) });
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch {
    // commander's exitOverride throws on errors; the text is in err
  } finally {
    log.mockRestore();
  }
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = previous;
  return { out: out.join('\n'), err: err.join(''), exitCode };
}

test('hookbridge send signs a sample as the provider would and prints the answer', async () => {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/x`;
  const { out } = await run(['send', '--provider', 'trophy', '--event', 'points.changed', '--to', url, '--secret', 'S3cret']);
  server.close();
  expect(out).toContain(`→ POST ${url}  Trophy points.changed`);
  expect(out).toContain('← 202 {"accepted":true}');
  expect(out).not.toContain(received[0]!.headers['x-trophy-signature']);
  expect(verifyWebhook({ headers: received[0]!.headers, rawBody: received[0]!.body }, { provider: 'trophy', secrets: 'S3cret' }).type).toBe(
    'points.changed',
  );
});

test('hookbridge send refuses an unknown provider or event with the known list', async () => {
  expect((await run(['send', '--provider', 'acme', '--event', 'x', '--to', 'http://127.0.0.1:1', '--secret', 's'])).err).toContain(
    'unknown provider (known: trackscore, trakkr, trophy, trackpilots, standard)',
  );
  expect((await run(['send', '--provider', 'trakkr', '--event', 'nope', '--to', 'http://127.0.0.1:1', '--secret', 's'])).err).toContain(
    'Trakkr has no event "nope"',
  );
});
