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
import type { RunEvent, RunEventBody } from '../contract/events.js';
import { TensorWasmError } from '../contract/errors.js';
import { createWasiCudaHost } from '../runtime/cuda/host.js';
import { createEngine } from '../runtime/engine.js';
import { noopLaunchGuest } from './noop-launch-guest.js';

const launches = Number(process.env.LAUNCH_BENCH_LAUNCHES ?? 2000);
const ROUNDS = 5;
// The repository root from bench/ (tsx) or dist/bench/ (compiled).
const root = [join(import.meta.dirname, '..'), join(import.meta.dirname, '..', '..')].find((dir) => existsSync(join(dir, 'native', 'kernels'))) ?? join(import.meta.dirname, '..');
const ptx = readFileSync(join(root, 'native', 'kernels', 'test-kernels.ptx'), 'utf8');

function guestBytes(): Uint8Array {
  return noopLaunchGuest(ptx);
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
    wasmMemory: () => memory, // as the instance worker passes it
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
