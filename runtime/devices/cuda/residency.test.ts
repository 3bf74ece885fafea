import { describe, expect, it } from 'vitest';
import { Residency, type DeviceMemoryOps } from './residency.js';

/** Device memory as a map of buffers, with every call recorded. */
function fakeDevice() {
  const buffers = new Map<number, Uint8Array>();
  const calls: string[] = [];
  let next = 0x10000;
  const at = (p: number, length: number): Uint8Array => {
    for (const [base, buf] of buffers) if (p >= base && p + length <= base + buf.length) return buf.subarray(p - base, p - base + length);
    throw new Error(`0x${p.toString(16)}+${length} is not allocated`);
  };
  const ops: DeviceMemoryOps = {
    alloc: (bytes) => {
      const p = next;
      next += bytes + 0x1000;
      buffers.set(p, new Uint8Array(bytes).fill(0xcd));
      calls.push(`alloc ${bytes}`);
      return p;
    },
    free: (p) => {
      if (!buffers.delete(p)) throw new Error('double free');
      calls.push('free');
    },
    copyHtoD: (p, memory, offset, length) => {
      at(p, length).set(memory.subarray(offset, offset + length));
      calls.push(`htod ${offset} ${length}`);
    },
    copyDtoH: (p, memory, offset, length) => {
      memory.set(at(p, length), offset);
      calls.push(`dtoh ${offset} ${length}`);
    },
    copyDtoD: (dst, src, length) => {
      at(dst, length).set(at(src, length).slice());
      calls.push(`dtod ${length}`);
    },
  };
  return { ops, calls, buffers, at };
}

describe('Residency', () => {
  it('uploads a window once per epoch and copies it back at flush', () => {
    const { ops, calls, at } = fakeDevice();
    const memory = new Uint8Array(1024).map((_, i) => i & 0xff);
    const r = new Residency(ops);
    const p = r.place(100, 50, memory);
    expect(r.place(100, 50, memory)).toBe(p);
    expect(r.place(110, 10, memory)).toBe(p + 10); // inside the region: no copy
    at(p, 50).fill(7); // "the kernel" writes
    r.flush(memory);
    expect([...memory.subarray(100, 150)]).toEqual(Array(50).fill(7));
    expect(calls).toEqual(['alloc 50', 'htod 100 50', 'dtoh 100 50']);
  });

  it('merges overlapping windows, keeping device bytes and filling gaps from the host', () => {
    const { ops, calls, at } = fakeDevice();
    const memory = new Uint8Array(1024);
    const r = new Residency(ops);
    const a = r.place(0, 100, memory);
    const b = r.place(200, 100, memory);
    at(a, 100).fill(1);
    at(b, 100).fill(2);
    memory.fill(9, 100, 200);
    const spanning = r.place(50, 200, memory);
    expect(r.stats().regions).toBe(1);
    r.flush(memory);
    expect(memory[0]).toBe(1);
    expect(memory[150]).toBe(9);
    expect(memory[250]).toBe(2);
    expect(spanning).toBeGreaterThan(0);
    expect(calls.filter((c) => c.startsWith('dtod'))).toEqual(['dtod 100', 'dtod 100']);
    expect(calls).toContain('htod 100 100');
  });

  it('reuses pooled buffers across epochs, trims the pool and frees everything at dispose', () => {
    const { ops, calls, buffers } = fakeDevice();
    const memory = new Uint8Array(4096);
    const r = new Residency(ops, 1000);
    r.place(0, 400, memory);
    r.flush(memory);
    r.place(1000, 300, memory); // fits the pooled 400-byte buffer (≤ 2×)
    expect(calls.filter((c) => c.startsWith('alloc'))).toEqual(['alloc 400']);
    r.place(2000, 900, memory);
    r.flush(memory); // 1300 pooled bytes > 1000: the largest goes
    expect(r.stats().pooledBytes).toBe(400);
    expect(r.place(0, 0, memory)).toBe(0);
    expect(r.dispose()).toEqual([]);
    expect(buffers.size).toBe(0);
  });

  it('leaves the regions consistent when a copy fails', () => {
    const { ops } = fakeDevice();
    const memory = new Uint8Array(64);
    const failing: DeviceMemoryOps = { ...ops, copyHtoD: () => { throw new Error('CUDA_ERROR_OUT_OF_MEMORY'); } };
    const r = new Residency(failing);
    expect(() => r.place(0, 16, memory)).toThrow('OUT_OF_MEMORY');
    expect(r.stats()).toMatchObject({ regions: 0, pooledBuffers: 1 });
    expect(r.dispose()).toEqual([]);
  });
});
