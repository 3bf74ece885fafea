/**
 * The variant of a compiled kernel that imports a *shared* memory, for the block pool (a
 * WebAssembly module must declare the memory it imports as shared to be given a
 * SharedArrayBuffer-backed one; the kernel's code is the same). Made from the kernel's bytes by
 * rewriting the import section's memory entry to `shared, min 0, max 65536 pages` (4 GiB: any
 * launch memory of the pool satisfies it), and compiled once per kernel.
 */
import type { WasmKernel } from '../wasm/compile-wasm.js';

const variants = new WeakMap<WasmKernel, WebAssembly.Module>();

export function sharedModuleOf(kernel: WasmKernel): WebAssembly.Module {
  let m = variants.get(kernel);
  if (!m) {
    m = new WebAssembly.Module(withSharedMemoryImport(kernel.bytes));
    variants.set(kernel, m);
  }
  return m;
}

/** The 4 GiB maximum a 32-bit memory can declare, in 64 KiB pages. */
export const MAX_PAGES = 65536;

/** Rewrites a module's imported memory as shared with the maximum MAX_PAGES; other sections are copied as they are. */
export function withSharedMemoryImport(bytes: Uint8Array): Uint8Array {
  const out: number[] = Array.from(bytes.subarray(0, 8));
  let at = 8;
  const leb = (): number => {
    let v = 0, shift = 0, b: number;
    do {
      b = bytes[at++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  const putLeb = (dst: number[], v: number): void => {
    do {
      const b = v % 128;
      v = Math.floor(v / 128);
      dst.push(v > 0 ? b | 0x80 : b);
    } while (v > 0);
  };
  let found = false;
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = leb();
    const end = at + size;
    if (id !== 2) {
      out.push(id);
      putLeb(out, size);
      for (let i = at; i < end; i++) out.push(bytes[i]!);
      at = end;
      continue;
    }
    const body: number[] = [];
    const count = leb();
    putLeb(body, count);
    for (let k = 0; k < count; k++) {
      for (let s = 0; s < 2; s++) {
        const n = leb();
        putLeb(body, n);
        for (let i = 0; i < n; i++) body.push(bytes[at++]!);
      }
      const kind = bytes[at++]!;
      body.push(kind);
      if (kind === 0x00) putLeb(body, leb());
      else if (kind === 0x02) {
        const flags = bytes[at++]!;
        leb(); // min
        if (flags & 1) leb(); // max
        body.push(0x03);
        putLeb(body, 0);
        putLeb(body, MAX_PAGES);
        found = true;
      } else throw new Error(`internal: unexpected import kind ${kind} in a compiled kernel`);
    }
    if (at !== end) throw new Error('internal: the import section of a compiled kernel did not parse');
    out.push(2);
    putLeb(out, body.length);
    out.push(...body);
  }
  if (!found) throw new Error('internal: the compiled kernel imports no memory');
  return Uint8Array.from(out);
}
