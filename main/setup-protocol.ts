import { readFile } from 'node:fs/promises';
import { APP_SCHEME, mimeFor, resolveAppFile } from './app-url.js';
import { WORKBENCH_CSP } from './csp.js';

/** Electron's protocol module, reduced to what is used. */
export interface ProtocolLike {
  handle(scheme: string, handler: (request: { url: string }) => Promise<Response> | Response): void;
}

/**
 * Headers on every app:// response. The CSP is set here, by the handler that makes the response:
 * session.webRequest hooks may never see a custom protocol's responses, so a CSP added there alone
 * could silently not apply.
 */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': WORKBENCH_CSP,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
  };
}

/** Serves dist/renderer under app://workbench/; anything outside it is a 404. */
export function createAppProtocolHandler(rendererDir: string): (request: { url: string }) => Promise<Response> {
  const notFound = () => new Response('not found', { status: 404, headers: appResponseHeaders('text/plain; charset=utf-8') });
  return async (request) => {
    const file = resolveAppFile(request.url, rendererDir);
    if (!file) return notFound();
    try {
      return new Response(new Uint8Array(await readFile(file)), { headers: appResponseHeaders(mimeFor(file)) });
    } catch {
      return notFound();
    }
  };
}

export function setupProtocol(protocol: ProtocolLike, rendererDir: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
}
