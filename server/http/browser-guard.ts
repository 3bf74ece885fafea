import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TensorWasmError } from '../../contract/errors.js';
import { isLoopbackHost } from '../auth.js';
import { clip } from './clip.js';
import { sendError } from './errors.js';

/**
 * What keeps other web pages away from a server on this machine (issue 15, defect 1). A browser
 * lets any page send requests to 127.0.0.1, so a local server must tell the workbench it serves
 * apart from every other page:
 *
 * - `Host` must be a loopback name or one the server was told about: a DNS-rebinding page (its own
 *   name resolving to 127.0.0.1) is refused, so it can read neither the API nor the UI page.
 * - A request with an `Origin` is served only when that origin is this server itself or one named
 *   with `--cors-origin`; those, and only those, get `Access-Control-Allow-Origin` (never `*`).
 *   A cross-site request without an `Origin` (an `<img>`, a `no-cors` fetch, a frame) is refused
 *   too, unless it is a top-level navigation (a person following a link to the workbench).
 * - A browser request that changes state (POST, PUT, PATCH, DELETE) must also carry this server's
 *   secret in `x-tensor-wasm-secret` (or a valid bearer token). The secret is random per server
 *   and reaches only the page this server serves (a `<meta>` in index.html, which other origins
 *   cannot read). Programs other than browsers (the CLI, curl) send no `Origin`/`Sec-Fetch-Site`
 *   and need no secret: they could open any local socket anyway.
 * - Every response says it must not be framed (`frame-ancestors 'none'`, `X-Frame-Options: DENY`).
 */
export interface BrowserGuardOptions {
  /** Origins (scheme://host[:port]) allowed to call cross-origin. */
  corsOrigins: readonly string[];
  /** Host names (no port) accepted besides loopback ones. */
  allowedHosts: readonly string[];
  /** Whether every request must carry a bearer token (then the token also stands for the secret). */
  hasToken: boolean;
  /** The address the server listens on (a specific one is a name it was told about). */
  listenHost: string;
  /** This server's page secret. */
  secret: string;
}

export const SECRET_HEADER = 'x-tensor-wasm-secret';
/** The `<meta name=…>` that carries the secret in the served index.html. */
export const SECRET_META = 'tensor-wasm-secret';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOW_HEADERS = `authorization, content-type, traceparent, ${SECRET_HEADER}`;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // `no-cors` reads (a <script src>, an <img>) from other origins get nothing.
  'cross-origin-resource-policy': 'same-origin',
};

export function newServerSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Normalises `--cors-origin` values to what browsers send in `Origin`; refuses anything else. */
export function normalizeOrigin(value: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TensorWasmError('invalid_args', `--cors-origin '${clip(text)}' is not an origin like http://host:port`);
  }
  const bare = `${url.protocol}//${url.host}`;
  if (url.host === '' || text.replace(/\/$/, '').toLowerCase() !== bare.toLowerCase() || url.username || url.password) {
    throw new TensorWasmError('invalid_args', `--cors-origin '${clip(text)}' must be only scheme://host[:port] (no path, no '*')`);
  }
  return url.origin === 'null' ? bare.toLowerCase() : url.origin;
}

export function installBrowserGuard(app: FastifyInstance, options: BrowserGuardOptions): void {
  const corsOrigins = new Set(options.corsOrigins.map(normalizeOrigin));
  const listen = options.listenHost.replace(/^\[|\]$/g, '').toLowerCase();
  const knownHosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  if (!WILDCARD_HOSTS.has(listen)) knownHosts.add(listen);
  // With a token (required beyond loopback) the server answers to whatever name people reach it
  // by (gpu-box, its address, a tunnel): the token, which a rebinding page cannot have, guards it.
  const anyHost = options.hasToken;
  const secret = Buffer.from(options.secret);

  app.addHook('onRequest', async (request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.raw.setHeader(name, value);
    const host = hostName(request.headers.host);
    if (host === undefined || !(anyHost || isLoopbackName(host) || knownHosts.has(host))) {
      return refuse(reply, `Host '${clip(String(request.headers.host ?? ''))}' is not a name of this server: use localhost or 127.0.0.1`);
    }
    const origin = request.headers.origin;
    const fetchSite = header(request, 'sec-fetch-site');
    let listed = false;
    if (origin !== undefined) {
      listed = corsOrigins.has(origin);
      if (!listed && !isSameOrigin(origin, request.headers.host!)) {
        return refuse(reply, `requests from origin '${clip(origin)}' are not allowed: open the page this server serves, or start it with --cors-origin <origin>`);
      }
      if (listed) {
        reply.raw.setHeader('access-control-allow-origin', origin);
        reply.raw.setHeader('vary', 'Origin');
      }
    } else if ((fetchSite === 'cross-site' || fetchSite === 'same-site') && !isTopLevelNavigation(request)) {
      return refuse(reply, 'cross-site requests are not allowed');
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      // A preflight: only reached by this server's own pages and listed origins.
      reply.raw.setHeader('access-control-allow-methods', ALLOW_METHODS);
      reply.raw.setHeader('access-control-allow-headers', ALLOW_HEADERS);
      reply.raw.setHeader('access-control-max-age', '600');
      return reply.code(204).send();
    }
    const fromBrowser = origin !== undefined || fetchSite !== undefined;
    // Listed origins are trusted as named; with a token they still need it (checked by auth).
    if (fromBrowser && !listed && STATE_CHANGING.has(request.method) && !options.hasToken && !hasSecret(request, secret)) {
      return refuse(reply, `a browser request that changes state needs this server's page secret (${SECRET_HEADER}): use the workbench page this server serves`);
    }
    return undefined;
  });
}

function refuse(reply: FastifyReply, message: string): FastifyReply {
  return sendError(reply, 403, 'unauthorized', message);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/** A person following a link to the workbench (not a frame, an image or a script of another page). */
function isTopLevelNavigation(request: FastifyRequest): boolean {
  const dest = header(request, 'sec-fetch-dest');
  return header(request, 'sec-fetch-mode') === 'navigate' && (dest === undefined || dest === 'document') && (request.method === 'GET' || request.method === 'HEAD');
}

function hasSecret(request: FastifyRequest, secret: Buffer): boolean {
  const sent = request.headers[SECRET_HEADER];
  if (typeof sent !== 'string') return false;
  const given = Buffer.from(sent);
  return given.length === secret.length && timingSafeEqual(given, secret);
}

/** The host name of a Host header (lowercase, brackets and port removed); undefined if malformed. */
export function hostName(hostHeader: string | undefined): string | undefined {
  if (typeof hostHeader !== 'string' || hostHeader === '' || /[\s/\\?#@]/.test(hostHeader)) return undefined;
  try {
    const url = new URL(`http://${hostHeader}`);
    if (url.host !== hostHeader.toLowerCase() && `${url.host}:80` !== hostHeader.toLowerCase()) return undefined;
    return url.hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/** Loopback addresses, `localhost` and `*.localhost` (browsers resolve those to loopback themselves). */
function isLoopbackName(host: string): boolean {
  return isLoopbackHost(host) || host.endsWith('.localhost');
}

function isSameOrigin(origin: string, hostHeader: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === new URL(`http://${hostHeader}`).host;
  } catch {
    return false;
  }
}
