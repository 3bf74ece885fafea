import { assertRunId } from '../registry/ids.js';
import type { InvokeRequest } from './json-body.js';

/**
 * The invoke body almost every client sends — `{"export": "add", "args": [1, 2]}`, maybe with
 * `runId` and `deadlineMs` — read in one pass over the text, with no tree built and no second
 * serialisation of the arguments. On a call that takes tens of µs the general path (a depth scan,
 * lossless-json's parse and its stringify of `args`) was a measurable share of the server's
 * per-request work.
 *
 * It accepts only that shape: strings without escapes, `args` an array of plain JSON numbers,
 * each key at most once, nothing else. Anything outside it returns undefined and goes the general
 * way (json-body.ts), so for every body this reader accepts, both give the same answer (a test
 * compares them), and every error keeps the general path's words.
 */
export function readSimpleInvokeBody(text: string): InvokeRequest | undefined {
  const r = new Reader(text);
  if (!r.take(0x7b /* { */)) return undefined;
  let exportName: string | undefined;
  let argsJson: string | undefined;
  let runId: string | undefined;
  let deadlineMs: number | undefined;
  do {
    const key = r.string();
    if (key === undefined || !r.take(0x3a /* : */)) return undefined;
    if (key === 'export' && exportName === undefined) {
      exportName = r.string();
      if (!exportName) return undefined; // absent or empty: the general path words the error
    } else if (key === 'args' && argsJson === undefined) {
      argsJson = r.numberArray();
      if (argsJson === undefined) return undefined;
    } else if (key === 'runId' && runId === undefined) {
      runId = r.string();
      if (runId === undefined) return undefined;
    } else if (key === 'deadlineMs' && deadlineMs === undefined) {
      const literal = r.number();
      // A positive integer written plainly; the general path explains anything else.
      if (literal === undefined || !POSITIVE_INTEGER.test(literal) || !Number.isSafeInteger(Number(literal))) return undefined;
      deadlineMs = Number(literal);
    } else return undefined; // an unknown or repeated key
  } while (r.take(0x2c /* , */));
  if (!r.take(0x7d /* } */) || !r.atEnd() || exportName === undefined) return undefined;
  const request: InvokeRequest = { export: exportName, argsJson: argsJson ?? '[]' };
  if (runId !== undefined) request.runId = assertRunId(runId);
  if (deadlineMs !== undefined) request.deadlineMs = deadlineMs;
  return request;
}

/** JSON's number grammar (RFC 8259 §6). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const POSITIVE_INTEGER = /^[1-9]\d*$/;

class Reader {
  private i = 0;

  constructor(private readonly text: string) {}

  /** Skips JSON whitespace, then consumes `code` if it is next. */
  take(code: number): boolean {
    this.skipSpace();
    if (this.text.charCodeAt(this.i) !== code) return false;
    this.i++;
    return true;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.i === this.text.length;
  }

  /** A string with no escapes or control characters (anything else: undefined). */
  string(): string | undefined {
    if (!this.take(0x22 /* " */)) return undefined;
    const start = this.i;
    for (; this.i < this.text.length; this.i++) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x22) return this.text.slice(start, this.i++);
      if (c === 0x5c /* \ */ || c < 0x20) return undefined;
    }
    return undefined;
  }

  /** A number literal exactly as written, if it is a valid JSON number. */
  number(): string | undefined {
    this.skipSpace();
    const start = this.i;
    for (; this.i < this.text.length; this.i++) {
      const c = this.text.charCodeAt(this.i);
      // digits, '+', '-', '.', 'e', 'E': every character a JSON number can hold
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x65 || c === 0x45)) break;
    }
    const literal = this.text.slice(start, this.i);
    return JSON_NUMBER.test(literal) ? literal : undefined;
  }

  /** `[n, n, …]` of number literals, rendered as lossless-json renders it: `[n,n,…]` as written. */
  numberArray(): string | undefined {
    if (!this.take(0x5b /* [ */)) return undefined;
    if (this.take(0x5d /* ] */)) return '[]';
    const literals: string[] = [];
    do {
      const literal = this.number();
      if (literal === undefined) return undefined;
      literals.push(literal);
    } while (this.take(0x2c /* , */));
    return this.take(0x5d) ? `[${literals.join(',')}]` : undefined;
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }
}
