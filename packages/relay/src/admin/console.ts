import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** Built by `npm run build` (packages/relay/console → console-dist); shipped with the package. */
const DIST = join(__dirname, '../../console-dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * `/console`: the static operator console. The page itself is public; everything it shows
 * comes from the admin API with the token the operator types in.
 */
export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  const file = (name: string) => {
    const path = normalize(join(DIST, name));
    return path.startsWith(DIST) && existsSync(path) ? path : undefined;
  };
  app.get('/console', async (_req, reply) => reply.redirect('/console/'));
  app.get<{ Params: { '*': string } }>('/console/*', async (request, reply) => {
    const path = file(request.params['*'] || 'index.html') ?? file('index.html');
    if (!path) return reply.code(503).type('text/plain').send('The console is not built: npm run build');
    return reply
      .type(TYPES[extname(path)] ?? 'application/octet-stream')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:")
      .send(readFileSync(path));
  });
}
