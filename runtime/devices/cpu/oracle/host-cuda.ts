/**
 * The host-compiled CUDA oracle: the same .cu sources nvcc turned into the committed PTX, compiled
 * once with g++ through fixtures/host-cuda/cuda_host.h into one program that runs every kernel
 * on the inputs the test wrote and returns every buffer afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { ElemType, HostKernel, Init, Param } from './host-cuda-cases.js';

export const HOST_CUDA_DIR = fileURLToPath(new URL('../../../../fixtures/host-cuda/', import.meta.url));
export const ELEM_BYTES: Record<ElemType, number> = { f32: 4, f64: 8, i32: 4, u32: 4, i64: 8, u64: 8 };
const CXX_TYPE: Record<ElemType, string> = { f32: 'float', f64: 'double', i32: 'int', u32: 'unsigned int', i64: 'long long', u64: 'unsigned long long' };

export function gxxAvailable(): boolean {
  return spawnSync('g++', ['--version'], { stdio: 'ignore' }).status === 0;
}

export function kernelSourcePath(name: string): string {
  return join(HOST_CUDA_DIR, 'kernels', `${name}.cu`);
}

/** The .cu text for the host: `extern __shared__ T x[];` becomes this launch's dynamic shared buffer. */
export function hostSource(cu: string): string {
  const body = cu.replace(/extern\s+__shared__\s+([\w\s]+?)\s+(\w+)\s*\[\s*\]\s*;/g, '$1* $2 = ($1*)cuda_host::dynamic_shared();');
  const macros = [...cu.matchAll(/^#define\s+(\w+)/gm)].map((m) => `#undef ${m[1]}`);
  return `${body}\n${macros.join('\n')}\n`;
}

function bufferBytes(p: Param): number {
  return 'buf' in p ? p.count * ELEM_BYTES[p.buf] : 0;
}

export function driverSource(kernels: readonly HostKernel[]): string {
  const parts: string[] = ['#include "cuda_host.h"', '#include <cstdio>'];
  for (const k of kernels) parts.push(`namespace k_${k.name} {\n${hostSource(readFileSync(kernelSourcePath(k.name), 'utf8'))}}`);
  parts.push('static void read_all(FILE* f, void* p, size_t n) { if (n && fread(p, 1, n, f) != n) std::exit(3); }');
  parts.push('int main(int argc, char** argv) {', '  FILE* in = std::fopen(argv[1], "rb");', '  FILE* out = std::fopen(argv[2], "wb");');
  for (const k of kernels) {
    const lines: string[] = [];
    const args: string[] = [];
    k.params.forEach((p, i) => {
      if ('buf' in p) {
        lines.push(`std::vector<unsigned char> b${i}(${bufferBytes(p)} + 8); read_all(in, b${i}.data(), ${bufferBytes(p)});`);
        args.push(`(${CXX_TYPE[p.buf]}*)b${i}.data()`);
      } else args.push(p.scalar === 'i64' ? `(long long)${p.value}LL` : `(int)${p.value}`);
    });
    const call = `k_${k.name}::${k.name}(${args.join(', ')});`;
    lines.push(`cuda_host::launch(dim3(${k.grid.join(', ')}), dim3(${k.block.join(', ')}), ${k.shared ?? 0}, [&] { ${call} });`);
    k.params.forEach((p, i) => {
      if ('buf' in p) lines.push(`std::fwrite(b${i}.data(), 1, ${bufferBytes(p)}, out);`);
    });
    parts.push(`  { // ${k.name}\n    ${lines.join('\n    ')}\n  }`);
  }
  parts.push('  std::fclose(out);', '  return 0;', '}');
  return parts.join('\n');
}

// ---- inputs

const f32bits = (x: number): bigint => BigInt(new Uint32Array(new Float32Array([x]).buffer)[0]!);
const f64bits = (x: number): bigint => new BigUint64Array(new Float64Array([x]).buffer)[0]!;

function initValues(t: ElemType, init: Init, count: number, seed: number): bigint[] {
  const bits = ELEM_BYTES[t] * 8;
  const mask = (1n << BigInt(bits)) - 1n;
  const isFloat = t === 'f32' || t === 'f64';
  const fb = t === 'f32' ? f32bits : f64bits;
  const signed = t.startsWith('i');
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : mask;
  const min = signed ? mask ^ max : 0n; // as raw bits
  const rand = fc.sample(fc.bigInt({ min: 0n, max: mask }), { seed, numRuns: count });
  const ints = fc.sample(fc.integer({ min: -50, max: 50 }), { seed: seed + 1, numRuns: count });
  const reals = fc.sample(fc.double({ min: -100, max: 100, noNaN: true }), { seed: seed + 2, numRuns: count });
  const out: bigint[] = [];
  const F_EDGES = [0, -0, 1.5, 2.5, -2.5, 0.5, -0.5, 3.5, 1e-45, -1e-45, 1e-39, 16777217, 2147483520, 2147483648, 4294967296, 1e30, -1e30, Infinity, -Infinity, 3.4028234663852886e38];
  const D_EDGES = [0, -0, 1.5, 2.5, -2.5, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310, 9007199254740993, 1.7976931348623157e308, 3.4028235677973366e38, 1e-40, Infinity, -Infinity, 1 + 2 ** -24, 1 + 2 ** -24 + 2 ** -52];
  const I_EDGES = [0n, 1n, mask, max, min, (min + 1n) & mask, (max - 1n) & mask, 16777217n & mask, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn];
  for (let i = 0; i < count; i++) {
    const r = rand[i]!;
    let v: bigint;
    switch (init) {
      case 'zero': v = 0n; break;
      case 'bits': v = r; break;
      case 'ints': v = i < I_EDGES.length ? I_EDGES[i]! : r; break;
      case 'divisor': v = r === 0n || r === mask ? 3n : r; break;
      case 'limits': v = i % 2 === 0 ? max : min; break;
      case 'small': v = isFloat ? fb(ints[i]!) : t.startsWith('u') ? BigInt(Math.abs(ints[i]!)) : BigInt.asUintN(bits, BigInt(ints[i]!)); break;
      case 'ordered': v = isFloat ? fb(reals[i]!) : BigInt.asUintN(bits, BigInt(Math.trunc(reals[i]!))); break;
      case 'castable': {
        const e = [0, -0, 0.5, 1.5, 2.5, 3.5, 1e-45, 1e-39, 16777217, 2147483520, 0.49999997];
        v = fb(i < e.length ? e[i]! : Math.abs(reals[i]!) * 2 ** (i % 24));
        break;
      }
      case 'floats':
      case 'floats+nan': {
        const edges = t === 'f32' ? F_EDGES : D_EDGES;
        const nans = t === 'f32' ? [0x7fc00000n, 0xffc00000n, 0x7f800001n, 0x7fc12345n] : [0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff0000000000001n];
        if (init === 'floats+nan' && i % 7 === 3) v = nans[i % nans.length]!;
        else if (i < edges.length) v = fb(edges[i]!);
        else if (i % 3 === 0) v = fb(reals[i]! * 1e3);
        else {
          // random bits that are not NaN
          v = r;
          const nan = t === 'f32' ? (v & 0x7f800000n) === 0x7f800000n : (v & 0x7ff0000000000000n) === 0x7ff0000000000000n;
          if (nan) v ^= t === 'f32' ? 0x40000000n : 0x4000000000000000n;
        }
        break;
      }
    }
    out.push(v & mask);
  }
  return out;
}

/** The initial bytes of every buffer parameter of a kernel (a fixed function of the seed). */
export function initialBuffers(k: HostKernel, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  k.params.forEach((p, i) => {
    if (!('buf' in p)) return;
    const size = ELEM_BYTES[p.buf];
    const bytes = new Uint8Array(p.count * size);
    const dv = new DataView(bytes.buffer);
    initValues(p.buf, p.init, p.count, seed + i * 101 + k.name.length).forEach((v, j) => {
      if (size === 8) dv.setBigUint64(j * 8, v, true);
      else dv.setUint32(j * 4, Number(v), true);
    });
    out.push(bytes);
  });
  return out;
}

/** Compiles every kernel for the host once and runs them all; the buffers after each kernel. */
export function runHostKernels(kernels: readonly HostKernel[], inputs: Uint8Array[][]): Uint8Array[][] {
  const dir = mkdtempSync(join(tmpdir(), 'host-cuda-'));
  try {
    const src = join(dir, 'driver.cpp'), bin = join(dir, 'driver'), input = join(dir, 'in.bin'), output = join(dir, 'out.bin');
    writeFileSync(src, driverSource(kernels));
    if (!existsSync(join(HOST_CUDA_DIR, 'cuda_host.h'))) throw new Error('fixtures/host-cuda/cuda_host.h is missing');
    execFileSync('g++', ['-std=c++17', '-O0', '-fwrapv', '-frounding-math', '-ffp-contract=off', '-w', `-I${HOST_CUDA_DIR}`, '-o', bin, src], { stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(input, Buffer.concat(inputs.flat()));
    execFileSync(bin, [input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
    const data = readFileSync(output);
    let off = 0;
    return inputs.map((bufs) =>
      bufs.map((b) => {
        const r = new Uint8Array(data.subarray(off, off + b.length));
        off += b.length;
        return r;
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
