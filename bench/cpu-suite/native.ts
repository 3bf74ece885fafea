/**
 * The bench's native side: bench/native/suite/ compiled by gcc (one thread, or OpenMP on every
 * core), run on a kernel's memory image. See bench/native/suite/harness.h for the protocol.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchKernel, Launch } from './kernels.js';

export type NativeBuild = 'single' | 'openmp';

/** Compiles the native suite into `dir`; `flags` replaces -O3 -march=native (the test uses -O1). */
export function compileNative(root: string, dir: string, build: NativeBuild, flags = ['-O3', '-march=native']): string {
  const exe = join(dir, `suite-${build}`);
  const src = join(root, 'bench', 'native', 'suite', 'suite.c');
  execFileSync('gcc', [...flags, ...(build === 'openmp' ? ['-fopenmp'] : []), '-o', exe, src, '-lm'], { stdio: ['ignore', 'inherit', 'inherit'] });
  return exe;
}

/** The C's arguments: each pointer's byte offset, each scalar's value, then the launch's extras. */
export function nativeArgs(l: Launch): string[] {
  const values = l.args.map((a) => ('ptr' in a ? a.ptr.offset : 'i32' in a ? a.i32 : 'u32' in a ? a.u32 : a.f32));
  return [...values, ...(l.nativeExtra ?? [])].map((v) => String(v));
}

export interface NativeRunner {
  /** The median wall time (ns) of `reps` runs in one process. */
  time(reps: number): number;
  /** The image after one run. */
  result(): Uint8Array;
}

/** Writes the launch's image into `dir` for nativeRunner; returns its path. */
export function writeImage(dir: string, k: BenchKernel, l: Launch): string {
  const input = join(dir, `${k.entry}.in`);
  writeFileSync(input, l.image);
  return input;
}

/** Runs the executable on the image at `input` (writeImage). */
export function nativeRunner(exe: string, input: string, k: BenchKernel, l: Launch): NativeRunner {
  const output = `${input}.${exe.replace(/.*[/\\]/, '')}.out`;
  const args = nativeArgs(l);
  const run = (reps: number, out: string): number => Number(execFileSync(exe, [k.entry, input, out, String(reps), ...args], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim());
  return {
    time: (reps) => run(reps, '-'),
    result: () => {
      run(1, output);
      const image = new Uint8Array(readFileSync(output));
      rmSync(output); // hundreds of MB for the big kernels
      return image;
    },
  };
}
