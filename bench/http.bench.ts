/**
 * HTTP invocation throughput: `add(i32, i32)` through the full server (JSON contract, isolation,
 * deadlines) against a bare `node:http` server that calls the same export in-process with no
 * isolation and no deadline — the upper bound. Both are driven by autocannon (a separate process)
 * over keep-alive connections on loopback. Goal: the server reaches ≥ 0.5× the bare server's rate.
 *
 * add changes nothing and provably ends within a few instructions, so the server's engine runs it on
 * the request thread from a recycled instance, which is exactly what a fresh instance in a worker
 * would do for it (EngineConfig.inlineCalls, runtime/module/inline-calls.ts). An export that writes
 * memory, loops or prints runs in a worker with a fresh instance per call: a third server with
 * inline calls off runs in the same rounds, for information, so that path's rate is printed too.
 *
 * On a small shared machine one long run of each compares two different moments (the bare server's
 * rate alone swings 2× between runs). So both servers stay up and are measured in several short
 * interleaved rounds (A B B A …, alternating which goes first), every round printed. Two ratios:
 * the median of the per-round ratios, and all requests served over all the bare server served;
 * the goal counts as met only when both reach it.
 *
 *   npm run bench -- http            (or: npx tsx bench/http.bench.ts)
 *   HTTP_BENCH_ROUNDS=5 HTTP_BENCH_SECONDS=3 HTTP_BENCH_CONNECTIONS=32 HTTP_BENCH_POOL=2 to change it.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildServer } from '../server/app.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

const seconds = Number(process.env.HTTP_BENCH_SECONDS ?? 3);
const rounds = Math.max(1, Number(process.env.HTTP_BENCH_ROUNDS ?? 5));
const connections = Number(process.env.HTTP_BENCH_CONNECTIONS ?? 32);
const fixture = findUp(join('fixtures', 'wasm', 'add.wasm'));
const body = '{"export":"add","args":[1,2]}';

/** A repository file, from the source (bench/) or the build (dist/bench/). */
function findUp(relative: string): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir) throw new Error(`cannot find ${relative}`);
  }
}

/**
 * Drives `url` from a separate autocannon process (a load generator on loopback, as the issue asks),
 * so the generator does not share the server's event loop.
 */
function loadFor(url: string, duration: number): Promise<AutocannonResult> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [cli, '-j', '-c', String(connections), '-d', String(duration), '-m', 'POST', '-H', 'content-type=application/json', '-b', body, url];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout) as AutocannonResult);
    });
  });
}

/** The upper bound: one instance, called on the request thread, no isolation, no deadline. */
async function bareServer(bytes: Uint8Array): Promise<{ server: Server; url: string }> {
  const { instance } = await WebAssembly.instantiate(bytes);
  const add = instance.exports.add as (a: number, b: number) => number;
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const { args } = JSON.parse(text) as { args: [number, number] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"results":[${add(args[0], args[1])}]}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

const SERVED = 'tensor-wasm serve';
const BARE_NAME = 'bare node:http (in-process)';
const WORKER_SERVED = 'tensor-wasm serve, inline off';

/** Deploys add.wasm to a built server, listens, and returns its invoke URL once every worker has started. */
async function deployAdd(app: Awaited<ReturnType<typeof buildServer>>, bytes: Uint8Array, poolSize: number): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const deployed = await fetch(`http://127.0.0.1:${port}/functions?name=add`, {
    method: 'POST',
    headers: { 'content-type': 'application/wasm' },
    body: bytes,
  });
  const { id } = (await deployed.json()) as { id: string };
  const invokeUrl = `http://127.0.0.1:${port}/functions/${id}/invoke`;
  // Every worker must have started (seconds on a busy machine) before anything is measured.
  const warmCalls = Array.from({ length: poolSize * 4 }, () =>
    fetch(invokeUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.text()),
  );
  await Promise.all(warmCalls);
  return invokeUrl;
}

function line(name: string, r: AutocannonResult): string {
  return `${name.padEnd(30)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   (${r.requests.total} requests, ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx)`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One line per side over all rounds: the median round's rate and latencies, and the totals. */
function summary(name: string, runs: AutocannonResult[]): string {
  const total = (f: (r: AutocannonResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  return (
    `${name.padEnd(30)} ${median(runs.map((r) => r.requests.average)).toFixed(0).padStart(8)} req/s   ` +
    `p50 ${String(median(runs.map((r) => r.latency.p50))).padStart(4)} ms   p99 ${String(median(runs.map((r) => r.latency.p99))).padStart(4)} ms   ` +
    `(medians of ${runs.length} rounds; ${total((r) => r.requests.total)} requests, ${total((r) => r.errors)} errors, ${total((r) => r.timeouts)} timeouts, ${total((r) => r.non2xx)} non-2xx)`
  );
}

async function main(): Promise<void> {
  const bytes = new Uint8Array(await readFile(fixture));
  const dataDir = await mkdtemp(join(tmpdir(), 'tw-http-bench-'));
  const poolSize = Number(process.env.HTTP_BENCH_POOL ?? availableParallelism());
  const app = await buildServer({ dataDir, engineConfig: { poolSize, maxQueue: 4096 }, warmEngine: true });
  const invokeUrl = await deployAdd(app, bytes, poolSize);
  const workerDir = await mkdtemp(join(tmpdir(), 'tw-http-bench-'));
  const workerApp = await buildServer({ dataDir: workerDir, engineConfig: { poolSize, maxQueue: 4096, inlineCalls: false }, warmEngine: true });
  const workerUrl = await deployAdd(workerApp, bytes, poolSize);
  // All stay up for the whole run; an idle one costs nothing (its workers sleep).
  const bare = await bareServer(bytes);

  console.log(`http bench: add(1, 2), ${connections} keep-alive connections, ${rounds} interleaved rounds of ${seconds}s each, pool ${poolSize}, ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'})`);
  // Warm-up (not counted): fills the JIT caches and keep-alive sockets of each.
  await loadFor(invokeUrl, 2);
  await loadFor(bare.url, 2);
  await loadFor(workerUrl, 2);
  const served: AutocannonResult[] = [];
  const baseline: AutocannonResult[] = [];
  const workerServed: AutocannonResult[] = [];
  const ratios: number[] = [];
  const workerRatios: number[] = [];
  for (let k = 0; k < rounds; k++) {
    // Alternate the order: whatever ran just before colours the next run on a busy box.
    const urls = k % 2 === 0 ? [invokeUrl, bare.url, workerUrl] : [workerUrl, bare.url, invokeUrl];
    const got = new Map<string, AutocannonResult>();
    for (const url of urls) got.set(url, await loadFor(url, seconds));
    const s = got.get(invokeUrl)!;
    const b = got.get(bare.url)!;
    const w = got.get(workerUrl)!;
    served.push(s);
    baseline.push(b);
    workerServed.push(w);
    ratios.push(s.requests.average / b.requests.average);
    workerRatios.push(w.requests.average / b.requests.average);
    console.log(`round ${k + 1}: ${(s.requests.average / b.requests.average).toFixed(2)}× (every call in a worker: ${(w.requests.average / b.requests.average).toFixed(2)}×)`);
    console.log(`  ${line(SERVED, s)}`);
    console.log(`  ${line(BARE_NAME, b)}`);
    console.log(`  ${line(WORKER_SERVED, w)}`);
  }
  await app.close();
  await workerApp.close();
  bare.server.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(workerDir, { recursive: true, force: true });

  console.log(summary(SERVED, served));
  console.log(summary(BARE_NAME, baseline));
  console.log(summary(WORKER_SERVED, workerServed));
  const ratio = median(ratios);
  // all requests of all rounds, each side: the plain throughput ratio, which must meet the goal too
  const total = (rs: AutocannonResult[]): number => rs.reduce((n, r) => n + r.requests.total, 0);
  const overall = total(served) / total(baseline);
  console.log(`ratio: ${ratio.toFixed(2)}× of the bare server's throughput, median of ${rounds} rounds [${ratios.map((r) => r.toFixed(2)).join(', ')}]; ${overall.toFixed(2)}× over all requests (goal ≥ 0.50×) ${ratio >= 0.5 && overall >= 0.5 ? 'MET' : 'NOT MET'}`);
  console.log(`every call in a worker (inline calls off; for information): ${median(workerRatios).toFixed(2)}× median of rounds [${workerRatios.map((r) => r.toFixed(2)).join(', ')}]; ${(total(workerServed) / total(baseline)).toFixed(2)}× over all requests`);
  if ([...served, ...workerServed].some((r) => r.errors + r.non2xx > 0)) {
    console.log('warning: the server answered some requests with errors; see the counts above');
    process.exitCode = 1;
  }
}

await main();
