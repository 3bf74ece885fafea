/**
 * wasi:cuda launch path on the CPU device (no GPU needed): a guest that launches `noop` n times,
 * run three ways, so the engine's share of a launch is visible on any machine.
 *
 *   in-process   the guest instantiated on this thread against createWasiCudaHost directly, its
 *                events stamped and kept in an array (what the instance worker does per event)
 *   engine       engine.invoke of the same guest (events ride back in the result)
 *   engine+onEvent  the same with an onEvent listener (events stream to the main thread)
 *
 * Per-launch cost is (best time for n launches − best time for 0) / n over ROUNDS rounds; each
 * round runs all three in turn, so a busy machine's load swings touch them alike. The ratios are
 * the engine's figure over the in-process one.
 *
 *   npm run bench -- launch-path       LAUNCH_BENCH_LAUNCHES=5000 to change n
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import binaryen from 'binaryen';
import type { RunEvent, RunEventBody } from '../contract/events.js';
import { TensorWasmError } from '../contract/errors.js';
import { createWasiCudaHost } from '../runtime/cuda/host.js';
import { createEngine } from '../runtime/engine.js';

const launches = Number(process.env.LAUNCH_BENCH_LAUNCHES ?? 2000);
const ROUNDS = 5;
// The repository root from bench/ (tsx) or dist/bench/ (compiled).
const root = [join(import.meta.dirname, '..'), join(import.meta.dirname, '..', '..')].find((dir) => existsSync(join(dir, 'native', 'kernels'))) ?? join(import.meta.dirname, '..');
const ptx = readFileSync(join(root, 'native', 'kernels', 'test-kernels.ptx'), 'utf8');

/** A guest that loads the PTX and launches `noop` (one u32 argument) n times, then syncs. */
function guestBytes(): Uint8Array {
  const escaped = [...Buffer.from(ptx)].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(16).padStart(2, '0')}`)).join('');
  const ptxLength = Buffer.byteLength(ptx);
  const wat = `(module
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_load_ptx" (func $load (param i32 i32 i32 i32) (result i64)))
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_launch" (func $launch (param i64 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi:cuda/host@0.2.0" "wasi_cuda_sync" (func $sync (result i32)))
  (memory (export "memory") ${Math.ceil((4096 + ptxLength) / 65536) + 1})
  (data (i32.const 64) "noop")
  (data (i32.const 96) "\\05\\00\\00\\00\\00")
  (data (i32.const 4096) "${escaped}")
  (func (export "bench") (param $n i32) (result i32)
    (local $k i64) (local $i i32) (local $rc i32)
    (local.set $k (call $load (i32.const 4096) (i32.const ${ptxLength}) (i32.const 64) (i32.const 4)))
    (if (i64.lt_s (local.get $k) (i64.const 0)) (then (return (i32.wrap_i64 (local.get $k)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $rc (call $launch (local.get $k) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 96) (i32.const 5)))
        (if (local.get $rc) (then (return (local.get $rc))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $sync)))`;
  const module = binaryen.parseText(wat);
  if (!module.validate()) throw new Error('the benchmark guest did not validate');
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}

/** Per-launch µs of each `call(n)`, net of `call(0)` (instantiation, load_ptx, sync, the round trip). */
async function perLaunch(calls: readonly ((n: number) => Promise<number>)[]): Promise<number[]> {
  for (const call of calls) for (let w = 0; w < 2; w++) await call(launches); // warm-up: worker, module, JIT
  const empty = calls.map(() => Infinity);
  const full = calls.map(() => Infinity);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, call] of calls.entries()) {
      empty[i] = Math.min(empty[i]!, await call(0));
      full[i] = Math.min(full[i]!, await call(launches));
    }
  }
  return calls.map((_, i) => ((full[i]! - empty[i]!) * 1000) / launches);
}

const bytes = guestBytes();
const compiled = new WebAssembly.Module(bytes);

/** The host called in-process: a fresh instance and host per call, as the worker makes them. */
async function inProcess(n: number): Promise<number> {
  const t0 = performance.now();
  const events: RunEvent[] = [];
  let memory: WebAssembly.Memory | undefined;
  const host = createWasiCudaHost({
    memory: () => new Uint8Array(memory!.buffer),
    deviceSelection: 'cpu',
    emit: (body: RunEventBody) => {
      const event = body as RunEvent; // stamped in place, as the worker does
      event.t = performance.timeOrigin + performance.now();
      events.push(event);
    },
    terminate: (error: TensorWasmError): never => {
      throw error;
    },
  });
  const instance = new WebAssembly.Instance(compiled, host.imports);
  memory = instance.exports.memory as WebAssembly.Memory;
  const rc = (instance.exports.bench as (n: number) => number)(n);
  host.dispose();
  const elapsed = performance.now() - t0;
  if (rc !== 0) throw new Error(`the guest returned ${rc}`);
  if (events.length < n) throw new Error(`expected at least ${n} events, got ${events.length}`);
  return elapsed;
}

const engine = createEngine({ device: 'cpu', poolSize: 1 });
const { ref } = await engine.load(bytes, 'launch-path-bench');
function viaEngine(listen: boolean): (n: number) => Promise<number> {
  return async (n) => {
    let seen = 0;
    const t0 = performance.now();
    const r = await engine.invoke(ref, 'bench', `[${n}]`, listen ? { onEvent: () => void seen++ } : {});
    const elapsed = performance.now() - t0;
    if (r.results?.[0] !== 0) throw new Error(`the guest returned ${JSON.stringify(r.results)}`);
    if (r.launches !== n || r.events.filter((e) => e.type === 'launch').length !== n) throw new Error(`expected ${n} launches with events, got ${r.launches}`);
    if (listen && seen !== r.events.length) throw new Error(`onEvent saw ${seen} of ${r.events.length} events`);
    return elapsed;
  };
}

try {
  console.log(`launch-path: ${launches} launches of noop on the CPU device, best of ${ROUNDS}`);
  const [local, quiet, streamed] = (await perLaunch([inProcess, viaEngine(false), viaEngine(true)])) as [number, number, number];
  const rows = [
    ['in-process: guest → createWasiCudaHost', local],
    ['engine.invoke (events in the result)', quiet],
    ['engine.invoke with onEvent (events streamed)', streamed],
  ] as const;
  for (const [name, us] of rows) console.log(`  ${name.padEnd(46)} ${us.toFixed(2).padStart(8)} µs/launch  ${(us / local).toFixed(2)}× in-process`);
} finally {
  await engine.close();
}
