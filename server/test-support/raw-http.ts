import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection after this response. */
  closed: boolean;
}

/**
 * Sends bytes exactly as given (no URL normalisation, any header, malformed HTTP) and reads one
 * response. Resolves when the response's Content-Length is in or the server closes; rejects after
 * `timeoutMs` (a hang is a failure).
 */
export function rawRequest(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let settled = false;
    const finish = (closed: boolean) => {
      const parsed = parseResponse(data);
      if (settled || (!closed && (parsed === undefined || parsed.body.length < parsed.length))) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (parsed === undefined) reject(new Error(`no HTTP response (got ${JSON.stringify(data.toString('latin1').slice(0, 200))})`));
      else resolve({ status: parsed.status, headers: parsed.headers, body: parsed.body.toString('utf8'), closed });
    };
    const timer = setTimeout(() => {
      settled = true;
      socket.destroy();
      reject(new Error(`no complete response within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(request);
  });
}

function parseResponse(data: Buffer): { status: number; headers: Record<string, string>; body: Buffer; length: number } | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = data.subarray(end + 4);
  const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : Number.POSITIVE_INFINITY;
  return { status, headers, body: body.subarray(0, Math.min(body.length, length)), length };
}

/** Opens a connection and leaves it for the caller to drive (slow clients). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}
