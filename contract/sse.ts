/**
 * The one server-sent-events reader, for every client of the event streams (the renderer's HTTP
 * transport, the server's API client and tests). EventSource cannot send an Authorization header
 * (remote targets need one), so streams are read with fetch and parsed here. Pure: text in,
 * messages out (the WHATWG format: fields per line, a blank line ends a message, `:` lines are
 * comments, CRLF / LF / CR line ends). No Node, no DOM: only the web-standard TextDecoder and
 * ReadableStream both sides have.
 */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  private buffer = '';
  private event = 'message';
  private data: string[] = [];
  private id: string | undefined;

  /** Feeds a chunk; returns the complete messages it finished. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      // A lone CR at the end of a chunk may be the first half of CRLF: wait for the next chunk.
      if (this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + (this.buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (this.data.length > 0) out.push({ event: this.event, data: this.data.join('\n'), ...(this.id === undefined ? {} : { id: this.id }) });
        this.event = 'message';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'id') this.id = value;
    }
    return out;
  }
}

/** Reads a text/event-stream body message by message. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(`${decoder.decode()}\n`);
  } finally {
    reader.releaseLock();
  }
}
