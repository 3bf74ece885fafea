import { readFile } from 'node:fs/promises';
import { APP_SCHEME, mimeFor, resolveAppFile } from './app-url.js';

/** Electron's protocol module, reduced to what is used. */
export interface ProtocolLike {
  handle(scheme: string, handler: (request: { url: string }) => Promise<Response> | Response): void;
}

/** Serves dist/renderer under app://workbench/; anything outside it is a 404. */
export function createAppProtocolHandler(rendererDir: string): (request: { url: string }) => Promise<Response> {
  return async (request) => {
    const file = resolveAppFile(request.url, rendererDir);
    if (!file) return new Response('not found', { status: 404 });
    try {
      return new Response(new Uint8Array(await readFile(file)), { headers: { 'content-type': mimeFor(file) } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}

export function setupProtocol(protocol: ProtocolLike, rendererDir: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
}
