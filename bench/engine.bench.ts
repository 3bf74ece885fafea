/**
 * Engine overheads (issue 2): invoking add(i32, i32) through the engine against a bare worker round
 * trip and a direct call; warm instantiation of a cached compiled module through the engine's
 * `instantiateGuest` against a raw `new WebAssembly.Instance`. Goals: engine invoke p50 ≤ 1.2×
 * the bare round trip; warm instantiation p50 ≤ 1.5× raw. All figures come from this one run.
 *
 * A round trip is mostly two thread wake-ups, so on a small shared machine its p50 drifts with the
 * load of the moment (±30% within a minute). Bare and engine therefore run in short alternating
 * blocks (one round = a bare block and an engine block back to back, the order alternating), and
 * both ratios are printed: the p50 of all engine samples over the p50 of all bare ones (pooled: the
 * goal as the issue words it), and the median over rounds of each round's p50 ratio (a paired
 * comparison, each ratio taken at one moment, steadier under drift). The goal counts as met only
 * when both are within it.
 *
 * The engine's workers spin for the next call of a sequence before they sleep (EngineConfig
 * workerSpinUs), which saves the round trip one of its two thread wake-ups; the bare worker, as the
 * issue defines it, sleeps between calls. So a third series, a bare worker that spins the same way,
 * runs in the same rounds: engine over it is the engine's own cost per call (marshalling, checks,
 * bookkeeping), printed for information beside the goal.
 *
 * add changes nothing and is short, so by default the engine runs it on the calling thread from a
 * recycled instance (EngineConfig.inlineCalls, runtime/module/inline-calls.ts) and no worker is
 * involved at all. The goal is about the worker round trip, so the engine measured against it has
 * inline calls off; the default engine runs in the same rounds as a fourth series, for information.
 * Its workers still keep one instance of a state-free module instead of making one per call, which
 * the bare workers (fresh instance per call, as the issue defines them) do not.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_ENGINE_CONFIG } from '../contract/engine.js';
import { createEngine } from '../runtime/engine.js';
import { instantiateGuest, instantiateRaw } from '../runtime/instance/instantiate-guest.js';
import { getLogger } from '../runtime/telemetry/logger.js';
import { repoRoot } from './repo-root.js';
import { microseconds, percentile, sampleAsync, sampleSync } from './stats.js';

const N = Number(process.env.BENCH_N ?? 6000);
const WARMUP = Math.max(200, Math.floor(N / 5));
// The repository root, from bench/ (source) or dist/bench/ (built).
const here = dirname(fileURLToPath(import.meta.url));
const root = repoRoot(here);
const addPath = join(root, 'fixtures', 'wasm', 'add.wasm');
const bytes = readFileSync(addPath);

// A bare worker: the module is sent once; each message instantiates it fresh and calls add, as the
// engine does per call, and replies. No marshalling, no deadline timer, no events.
const BARE = `
const { parentPort } = require('node:worker_threads');
let module;
parentPort.on('message', (m) => {
  if (m.module) module = m.module;
  const instance = new WebAssembly.Instance(module, {});
  parentPort.postMessage({ id: m.id, results: [instance.exports.add(m.a, m.b)] });
});`;

// The same, spinning after each call for up to SPIN_US for the next message, as the engine's
// workers do (instance-worker.ts; here without the adaptive rule: this caller always sends at once).
const SPIN_US = 300;
const BARE_SPIN = `
const { parentPort, receiveMessageOnPort } = require('node:worker_threads');
let module;
function call(m) {
  if (m.module) module = m.module;
  const instance = new WebAssembly.Instance(module, {});
  parentPort.postMessage({ id: m.id, results: [instance.exports.add(m.a, m.b)] });
}
parentPort.on('message', (m) => {
  call(m);
  for (let until = performance.now() + ${SPIN_US} / 1000; performance.now() < until; ) {
    const next = receiveMessageOnPort(parentPort);
    if (next) {
      call(next.message);
      until = performance.now() + ${SPIN_US} / 1000;
    }
  }
});`;

function bareRoundTrip(worker: Worker): () => Promise<unknown> {
  let id = 0;
  return () =>
    new Promise((resolve) => {
      const mine = ++id;
      const onMessage = (m: { id: number }) => {
        if (m.id !== mine) return;
        worker.off('message', onMessage);
        resolve(m);
      };
      worker.on('message', onMessage);
      worker.postMessage({ id: mine, a: 1, b: 2 });
    });
}

function report(label: string, samples: number[]): number {
  const p50 = percentile(samples, 50);
  console.log(`${label.padEnd(44)} p50 ${microseconds(p50).padStart(10)}   p95 ${microseconds(percentile(samples, 95)).padStart(10)}`);
  return p50;
}

async function main(): Promise<void> {
  console.log(`samples per figure: ${N} (after ${WARMUP} warm-up)`);
  const module = new WebAssembly.Module(bytes);

  // Direct call on one instance in this thread.
  const instance = new WebAssembly.Instance(module, {});
  const add = instance.exports.add as (a: number, b: number) => number;
  const batch = 1000;
  const direct = sampleSync(N, () => {
    for (let i = 0; i < batch; i++) add(1, 2);
  }).map((ms) => ms / batch);

  // Bare worker round trip and engine invoke, interleaved in rounds so both see the same machine
  // load (a shared CI box is noisy; back-to-back blocks would compare different moments).
  const bare = new Worker(BARE, { eval: true });
  bare.postMessage({ id: 0, module, a: 0, b: 0 });
  await new Promise((r) => bare.once('message', r));
  const bareCall = bareRoundTrip(bare);
  const spinning = new Worker(BARE_SPIN, { eval: true });
  spinning.postMessage({ id: 0, module, a: 0, b: 0 });
  await new Promise((r) => spinning.once('message', r));
  const spinningCall = bareRoundTrip(spinning);
  const engine = createEngine({ poolSize: 1, workerSpinUs: SPIN_US, inlineCalls: false });
  const { ref } = await engine.load(addPath);
  const engineCall = () => engine.invoke(ref, 'add', '[1, 2]');
  const inlineEngine = createEngine({ poolSize: 1 });
  const inlineRef = (await inlineEngine.load(addPath)).ref;
  const inlineCall = () => inlineEngine.invoke(inlineRef, 'add', '[1, 2]');
  await sampleAsync(WARMUP, bareCall);
  await sampleAsync(WARMUP, spinningCall);
  await sampleAsync(WARMUP, engineCall);
  await sampleAsync(WARMUP, inlineCall);
  const bareSamples: number[] = [];
  const spinningSamples: number[] = [];
  const engineSamples: number[] = [];
  const inlineSamples: number[] = [];
  const roundRatios: number[] = [];
  const ownRatios: number[] = [];
  const round = 200;
  for (let done = 0, k = 0; done < N; done += round, k++) {
    // Alternate the order: whatever ran just before colours the next block on a busy box.
    const order: (0 | 1 | 2 | 3)[] = k % 2 === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0];
    const got: number[][] = [[], [], [], []];
    for (const which of order) got[which] = await sampleAsync(round, [bareCall, spinningCall, engineCall, inlineCall][which]!);
    const [b, s, e, i] = got as [number[], number[], number[], number[]];
    bareSamples.push(...b);
    spinningSamples.push(...s);
    engineSamples.push(...e);
    inlineSamples.push(...i);
    roundRatios.push(percentile(e, 50) / percentile(b, 50));
    ownRatios.push(percentile(e, 50) / percentile(s, 50));
  }
  await bare.terminate();
  await spinning.terminate();

  console.log('\ninvoke add(i32, i32)');
  const pDirect = report('direct call (same thread, warm instance)', direct);
  const pBare = report('bare worker round trip (fresh instance)', bareSamples);
  const pSpinning = report('bare worker round trip, spinning worker', spinningSamples);
  const pEngine = report('engine.invoke, every call in a worker', engineSamples);
  const pInline = report('engine.invoke, default (add runs inline)', inlineSamples);
  const invokeRatio = percentile(roundRatios, 50);
  const sorted = [...roundRatios].sort((x, y) => x - y);
  console.log(`per-round p50 ratios, worker engine / bare (${roundRatios.length} rounds of ${round} calls per series): min ${sorted[0]!.toFixed(2)}  quartiles ${percentile(roundRatios, 25).toFixed(2)} / ${percentile(roundRatios, 75).toFixed(2)}  max ${sorted.at(-1)!.toFixed(2)}`);
  const pooledRatio = pEngine / pBare;
  console.log(`engine / bare round trip: ${pooledRatio.toFixed(2)}× pooled p50s, ${invokeRatio.toFixed(2)}× median of rounds  (goal ≤ 1.20×)  ${pooledRatio <= 1.2 && invokeRatio <= 1.2 ? 'MET' : 'NOT MET'}`);
  console.log(`engine / spinning bare:   ${(pEngine / pSpinning).toFixed(2)}× pooled p50s, ${percentile(ownRatios, 50).toFixed(2)}× median of rounds  (the engine's own cost, less the instantiation its worker skips for a state-free module such as add; for information)`);
  console.log(`engine / direct call:     ${(pEngine / pDirect).toFixed(0)}×`);
  console.log(`inline engine / bare:     ${(pInline / pBare).toFixed(2)}× pooled p50s (add changes nothing and is short, so the default engine calls it on this thread; for information)`);
  await inlineEngine.close();

  // Warm instantiation: the engine's instantiateGuest with the cached compiled module vs raw.
  const { module: cached } = await engine.compiled(ref);
  const description = engine.describe(ref);
  const info = { key: 'bench', maxMemoryBytes: DEFAULT_ENGINE_CONFIG.maxMemoryBytes, hash: description.hash, imports: description.imports, kind: description.kind, usesWasi: false, usesWasiCuda: false };
  const logger = getLogger({ component: 'bench' });
  const ctx = {
    module: cached,
    info,
    maxMemoryBytes: DEFAULT_ENGINE_CONFIG.maxMemoryBytes,
    device: 'auto' as const,
    offload: DEFAULT_ENGINE_CONFIG.offload,
    wasi: { args: [], env: {}, preopens: {} },
    emit: () => undefined,
    onStdout: () => undefined,
    onStderr: () => undefined,
    terminate: (e: Error): never => {
      throw e;
    },
    logger,
  };
  const instBatch = 50;
  sampleSync(WARMUP, () => instantiateGuest(ctx));
  sampleSync(WARMUP, () => instantiateRaw(module));
  const warmEngine = sampleSync(N, () => {
    for (let i = 0; i < instBatch; i++) instantiateGuest(ctx);
  }).map((ms) => ms / instBatch);
  const warmRaw = sampleSync(N, () => {
    for (let i = 0; i < instBatch; i++) new WebAssembly.Instance(module, {});
  }).map((ms) => ms / instBatch);
  const compileSamples = await sampleAsync(Math.min(N, 500), () => WebAssembly.compile(bytes));
  const cacheSamples = await sampleAsync(Math.min(N, 500), () => engine.compiled(ref));
  await engine.close();

  console.log('\nwarm instantiation of add.wasm');
  const pRaw = report('raw new WebAssembly.Instance', warmRaw);
  const pWarm = report('instantiateGuest (cached compiled module)', warmEngine);
  const instRatio = pWarm / pRaw;
  console.log(`engine / raw: ${instRatio.toFixed(2)}×  (goal ≤ 1.50×)  ${instRatio <= 1.5 ? 'MET' : 'NOT MET'}`);
  report('compiled module from the engine cache', cacheSamples);
  report('WebAssembly.compile (what the cache saves)', compileSamples);
}

await main();
