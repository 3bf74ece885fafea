/**
 * A guest memory for conformance runs: buffers are carved out of one Uint8Array the way a Wasm
 * guest's linear memory holds them, passed as pointer windows, and every byte outside the
 * windows a kernel may write is checked to be untouched after the launch.
 */
import type { Device, Dim3, KernelArg, KernelHandle } from '../../../contract/device.js';

export interface Buf {
  offset: number;
  length: number;
}

export type Arg = Buf | ['i32' | 'u32' | 'f32' | 'i64' | 'u64' | 'f64', number | bigint];

export class GuestMemory {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  private top = 1024; // keep the low kilobyte unused, like a guest's data segment start
  private buffers: Buf[] = [];

  /** Set when the bytes are a WebAssembly.Memory's, as a real guest's are (then passed to launches). */
  readonly wasmMemory: WebAssembly.Memory | undefined;

  /** `asWasmMemory` 'shared': a shared WebAssembly.Memory, as a guest built with threads declares. */
  constructor(size = 4 << 20, private readonly random: () => number, asWasmMemory: boolean | 'shared' = false) {
    const pages = Math.ceil(size / 65536);
    this.wasmMemory = asWasmMemory ? new WebAssembly.Memory(asWasmMemory === 'shared' ? { initial: pages, maximum: pages, shared: true } : { initial: pages }) : undefined;
    this.bytes = this.wasmMemory ? new Uint8Array(this.wasmMemory.buffer) : new Uint8Array(size);
    for (let i = 0; i < size; i += 4) this.bytes[i] = Math.floor(random() * 256); // junk to detect stray writes
    this.dv = new DataView(this.bytes.buffer);
  }

  alloc(length: number): Buf {
    const offset = this.top;
    this.top = Math.ceil((offset + length + 64) / 256) * 256; // a gap between buffers
    if (this.top > this.bytes.length) throw new Error('guest memory exhausted in the conformance harness');
    const b = { offset, length };
    this.buffers.push(b);
    return b;
  }
  f32(data: ArrayLike<number>): Buf {
    const b = this.alloc(data.length * 4);
    for (let i = 0; i < data.length; i++) this.dv.setFloat32(b.offset + i * 4, data[i]!, true);
    return b;
  }
  f64(data: ArrayLike<number>): Buf {
    const b = this.alloc(data.length * 8);
    for (let i = 0; i < data.length; i++) this.dv.setFloat64(b.offset + i * 8, data[i]!, true);
    return b;
  }
  i32(data: ArrayLike<number>): Buf {
    const b = this.alloc(data.length * 4);
    for (let i = 0; i < data.length; i++) this.dv.setInt32(b.offset + i * 4, data[i]!, true);
    return b;
  }
  u64(data: readonly bigint[]): Buf {
    const b = this.alloc(data.length * 8);
    data.forEach((v, i) => this.dv.setBigUint64(b.offset + i * 8, BigInt.asUintN(64, v), true));
    return b;
  }
  u8(data: ArrayLike<number>): Buf {
    const b = this.alloc(data.length);
    for (let i = 0; i < data.length; i++) this.bytes[b.offset + i] = data[i]!;
    return b;
  }
  readF32(b: Buf): number[] {
    return Array.from({ length: b.length / 4 }, (_, i) => this.dv.getFloat32(b.offset + i * 4, true));
  }
  readF64(b: Buf): number[] {
    return Array.from({ length: b.length / 8 }, (_, i) => this.dv.getFloat64(b.offset + i * 8, true));
  }
  readI32(b: Buf): number[] {
    return Array.from({ length: b.length / 4 }, (_, i) => this.dv.getInt32(b.offset + i * 4, true));
  }
  readU32(b: Buf): number[] {
    return Array.from({ length: b.length / 4 }, (_, i) => this.dv.getUint32(b.offset + i * 4, true));
  }
  readI64(b: Buf): bigint[] {
    return Array.from({ length: b.length / 8 }, (_, i) => this.dv.getBigInt64(b.offset + i * 8, true));
  }

  /** The first guest offset outside every buffer whose byte differs from `before`, or -1. */
  strayWrite(before: Uint8Array): number {
    const inside = new Uint8Array(this.bytes.length);
    for (const b of this.buffers) inside.fill(1, b.offset, b.offset + b.length);
    for (let i = 0; i < this.bytes.length; i++) if (!inside[i] && this.bytes[i] !== before[i]) return i;
    return -1;
  }
}

export function toKernelArgs(args: readonly Arg[]): KernelArg[] {
  return args.map((a) => {
    if (!Array.isArray(a)) return { kind: 'pointer', offset: a.offset, length: a.length };
    const [tag, v] = a;
    const bytes = new Uint8Array(tag.endsWith('64') ? 8 : 4);
    const dv = new DataView(bytes.buffer);
    switch (tag) {
      case 'i32': dv.setInt32(0, Number(v), true); break;
      case 'u32': dv.setUint32(0, Number(v), true); break;
      case 'f32': dv.setFloat32(0, Number(v), true); break;
      case 'f64': dv.setFloat64(0, Number(v), true); break;
      case 'i64': dv.setBigInt64(0, BigInt(v), true); break;
      case 'u64': dv.setBigUint64(0, BigInt(v), true); break;
    }
    return { kind: 'scalar', tag, bytes };
  });
}

export function launch(device: Device, kernel: KernelHandle, mem: GuestMemory, grid: Dim3, block: Dim3, args: readonly Arg[], shared = 0): void {
  device.launch({ kernel, grid, block, sharedMemBytes: shared, args: toKernelArgs(args), memory: mem.bytes, ...(mem.wasmMemory ? { wasmMemory: mem.wasmMemory } : {}) });
  device.sync(mem.bytes);
}
