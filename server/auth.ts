import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { TensorWasmError } from '../contract/errors.js';

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (bare.startsWith('::ffff:')) return isLoopbackHost(bare.slice('::ffff:'.length));
  return false;
}

/** Refuses to build a server that would listen beyond loopback without a token. */
export function assertHostAllowed(host: string, token: string | undefined): void {
  if (!isLoopbackHost(host) && !token) {
    throw new TensorWasmError(
      'unauthorized',
      `listening on ${host} (beyond loopback) requires a token: pass --token or set TENSOR_WASM_TOKEN`,
    );
  }
}

/**
 * With a token, every request must carry `Authorization: Bearer <token>`. Tokens are compared as
 * sha256 digests with `timingSafeEqual`, so neither their content nor their length leaks by timing.
 */
export function installBearerAuth(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    // A CORS preflight never carries credentials (browsers strip them), and the workbench's static
    // files hold no data: both pass, so a browser can load the UI and then send the token itself.
    if (request.method === 'OPTIONS' || isStaticUiRequest(request.method, request.routeOptions.url)) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
    if (match && timingSafeEqual(digest(match[1]!), expected)) return;
    reply.header('www-authenticate', 'Bearer realm="tensor-wasm"');
    throw new TensorWasmError('unauthorized', match ? 'the bearer token is not valid' : 'this server requires Authorization: Bearer <token>');
  });
}

/** GET/HEAD served by the static UI route (`/` and `/*` from @fastify/static when --ui is on). */
function isStaticUiRequest(method: string, routeUrl: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && (routeUrl === '/' || routeUrl === '/index.html' || routeUrl === '/*');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
