// The web console (console/, built by `npm run build` into dist/console): its files under
// /console/, every other path below it answered with index.html (the app's own routes, so a
// deep link or a reload works), and a browser's GET / sent there. The Alibaba RPC API keeps /:
// a request naming an Action (parameter or x-acs-action header), or one not asking for HTML,
// is its, as before.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const CONSOLE_PATH = '/console/';

const CONTENT_TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.woff2', 'font/woff2'],
]);

// Vite names what it bundles by content hash under assets/: such a file never changes, so a
// browser keeps it; index.html names the current ones, so it is checked on every load.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

// The app is its own origin's scripts and styles only, and it talks to this server's API.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The package's root: the nearest folder above this module with a package.json (src/ or dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where `npm run build` puts the console (console/vite.config.ts outDir). */
export const consoleDir = (): string => join(packageRoot(), 'dist', 'console');

/** Does a request to / come from a browser opening the address, rather than an RPC client? */
export function wantsConsole(req: FastifyRequest): boolean {
  if (req.method !== 'GET' || req.url.split('?')[0] !== '/') return false;
  const accept = req.headers.accept ?? '';
  if (!accept.split(',').some((type) => type.trim().toLowerCase().startsWith('text/html'))) return false;
  if (req.headers['x-acs-action'] !== undefined) return false;
  const search = new URLSearchParams(req.url.split(/\?(.*)/s)[1] ?? '');
  return !search.has('Action');
}

/** The file a path under /console/ names, if it is one inside the built folder. */
async function fileFor(root: string, rest: string): Promise<string | undefined> {
  let relative: string;
  try {
    relative = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (relative.includes('\0')) return undefined;
  const path = resolve(root, `.${sep}${relative}`);
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? path : undefined;
}

async function sendFile(reply: FastifyReply, path: string, cache: string) {
  const body = await readFile(path);
  reply
    .header('content-type', CONTENT_TYPES.get(extname(path)) ?? 'application/octet-stream')
    .header('cache-control', cache)
    .header('x-content-type-options', 'nosniff');
  if (extname(path) === '.html')
    reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer');
  return reply.send(body);
}

/** Mount the console on the root instance, before the Alibaba API takes /. */
export function mountConsole(app: FastifyInstance, root = consoleDir()): void {
  // A hook of the root instance runs for the Alibaba plugin's GET / too.
  app.addHook('onRequest', async (req, reply) => {
    if (wantsConsole(req)) return reply.redirect(CONSOLE_PATH, 302);
  });
  app.get('/console', { config: { public: true }, schema: { hide: true } }, (_req, reply) =>
    reply.redirect(CONSOLE_PATH, 301),
  );
  app.get<{ Params: { '*': string } }>(
    '/console/*',
    { config: { public: true }, schema: { hide: true } },
    async (req, reply) => {
      const rest = req.params['*'];
      const file = rest === '' ? undefined : await fileFor(root, rest);
      if (file) return sendFile(reply, file, rest.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
      // A missing bundle file is missing; any other path is one of the app's pages.
      if (rest.startsWith('assets/') || extname(rest) !== '')
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send(`${req.url} is not a file of the console\n`);
      const index = join(root, 'index.html');
      if (!existsSync(index))
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The console is not built: run `npm run build` (it writes dist/console).\n');
      return sendFile(reply, index, REVALIDATE);
    },
  );
}
