import { TensorWasmError } from '../../contract/errors.js';

/** A cursor over Wasm binary bytes: LEB128 integers, names, raw bytes. Errors carry the offset. */
export class BinaryReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(reason: string, offset = this.pos): never {
    throw new TensorWasmError('invalid_module', `${reason} at byte offset ${offset}`, { offset });
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of section');
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128 up to 64 bits, as a Number (exact below 2^53, which covers every count and index). */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    return this.fail('LEB128 integer too long');
  }

  /** Signed LEB128 (s32/s33/s64), skipped or read approximately: only its extent matters to us. */
  sleb(): number {
    let result = 0;
    let scale = 1;
    let b = 0;
    for (let i = 0; i < 10; i++) {
      b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) break;
    }
    return b & 0x40 ? result - scale : result;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) this.fail('unexpected end of section');
    this.pos += n;
  }

  name(): string {
    const len = this.uleb();
    const start = this.pos;
    this.skip(len);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(start, start + len));
  }
}

/** Unsigned LEB128 encoding, for rewriting sections. */
export function encodeUleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}
