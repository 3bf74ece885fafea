/**
 * A bounds-checked reader over Wasm bytes (LEB128, fixed-width values). Every overrun throws
 * OffloadDecodeError with the byte offset, so a malformed module can never crash the analyser:
 * callers catch it and turn it into a reason.
 */
export class OffloadDecodeError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'OffloadDecodeError';
    this.offset = offset;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: false });

export class WasmReader {
  readonly bytes: Uint8Array;
  pos: number;
  end: number;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = Math.min(end, bytes.length);
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) throw new OffloadDecodeError('unexpected end of data', this.pos);
    return this.bytes[this.pos++] as number;
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    const start = this.pos;
    for (;;) {
      const byte = this.u8();
      if (shift < 28) result |= (byte & 0x7f) << shift;
      else if (shift === 28) result += (byte & 0x0f) * 2 ** 28;
      else throw new OffloadDecodeError('u32 LEB128 too long', start);
      if ((byte & 0x80) === 0) return result >>> 0 === result ? result : result >>> 0;
      shift += 7;
    }
  }

  /** Unsigned LEB128 up to 64 bits, as a number (memory64 offsets; exact below 2^53). */
  u64(): number {
    let result = 0;
    let scale = 1;
    const start = this.pos;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new OffloadDecodeError('u64 LEB128 too long', start);
  }

  /** Signed LEB128 up to 32 bits. */
  s32(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    const start = this.pos;
    do {
      byte = this.u8();
      if (shift > 28 && shift !== 28) throw new OffloadDecodeError('s32 LEB128 too long', start);
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    if (shift < 32 && byte & 0x40) result |= -1 << shift;
    return result | 0;
  }

  /** Signed LEB128 up to 64 bits as a bigint (exact). */
  s64(): bigint {
    let result = 0n;
    let shift = 0n;
    let byte: number;
    const start = this.pos;
    let count = 0;
    do {
      if (++count > 10) throw new OffloadDecodeError('s64 LEB128 too long', start);
      byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    if (byte & 0x40) result -= 1n << shift;
    return BigInt.asIntN(64, result);
  }

  /** Signed LEB128 (s33 block types, heap types): returns a number. */
  s33(): number {
    let result = 0;
    let scale = 1;
    let byte: number;
    const start = this.pos;
    let count = 0;
    do {
      if (++count > 5) throw new OffloadDecodeError('s33 LEB128 too long', start);
      byte = this.u8();
      result += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    if (byte & 0x40) result -= scale;
    return result;
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new OffloadDecodeError(`cannot skip ${n} bytes`, this.pos);
    this.pos += n;
  }

  name(): string {
    const len = this.u32();
    const start = this.pos;
    this.skip(len);
    // Most names are short ASCII (a name section holds one per function): skip TextDecoder's
    // per-call overhead for them; anything else decodes as UTF-8 (the same string either way).
    if (len <= 128) {
      let ascii = true;
      for (let i = start; i < start + len; i++) {
        if ((this.bytes[i] as number) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, this.bytes.subarray(start, start + len) as unknown as number[]);
    }
    return UTF8.decode(this.bytes.subarray(start, start + len));
  }
}
