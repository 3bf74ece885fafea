import type { ServerResponse } from 'node:http';

/** Keeps proxies and idle timers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * A server-sent-events response written straight to the socket (the route hijacks fastify's
 * reply): `event: <type>` + `data: <json>` per message, a comment heartbeat while quiet.
 */
export class SseStream {
  private seq = 0;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    extraHeaders: Record<string, string> = {},
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...extraHeaders,
    });
    res.write(': stream open\n\n');
    this.heartbeat = setInterval(() => this.comment('keep-alive'), HEARTBEAT_MS).unref();
    res.on('close', () => this.stop());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.res.on('close', listener);
  }

  send(event: string, dataJson: string): void {
    if (this.closed) return;
    this.seq++;
    this.res.write(`id: ${this.seq}\nevent: ${event}\ndata: ${dataJson}\n\n`);
  }

  comment(text: string): void {
    if (!this.closed) this.res.write(`: ${text}\n\n`);
  }

  end(): void {
    if (this.closed) return;
    this.stop();
    this.res.end();
  }

  private stop(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
  }
}
