/**
 * HTTP invocation throughput: `add(i32, i32)` through the full server (JSON contract, an isolated
 * instance per call in the worker pool, deadlines) against a bare `node:http` server that calls the
 * same export in-process with no isolation — the upper bound. Both are driven by autocannon over
 * keep-alive connections on loopback. Goal: the server reaches ≥ 0.5× the bare server's rate.
 *
 *   npm run bench -- http            (or: npx tsx bench/http.bench.ts)
 *   HTTP_BENCH_SECONDS=10 HTTP_BENCH_CONNECTIONS=32 to change the load.
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

const seconds = Number(process.env.HTTP_BENCH_SECONDS ?? 8);
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
 * so the generator does not share the server's event loop. A short warm-up run fills the JIT caches
 * and keep-alive sockets before the measured run.
 */
async function load(url: string): Promise<AutocannonResult> {
  await loadFor(url, 2);
  return loadFor(url, seconds);
}

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

function line(name: string, r: AutocannonResult): string {
  return `${name.padEnd(28)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   (${r.requests.total} requests, ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx)`;
}

async function main(): Promise<void> {
  const bytes = new Uint8Array(await readFile(fixture));
  const dataDir = await mkdtemp(join(tmpdir(), 'tw-http-bench-'));
  const poolSize = Number(process.env.HTTP_BENCH_POOL ?? availableParallelism());
  const app = await buildServer({ dataDir, engineConfig: { poolSize, maxQueue: 4096 }, warmEngine: true });
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

  console.log(`http bench: add(1, 2), ${connections} keep-alive connections, ${seconds}s each, ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'})`);
  const served = await load(invokeUrl);
  await app.close();
  await rm(dataDir, { recursive: true, force: true });

  const bare = await bareServer(bytes);
  const baseline = await load(bare.url);
  bare.server.close();

  console.log(line('tensor-wasm serve (isolated)', served));
  console.log(line('bare node:http (in-process)', baseline));
  const ratio = served.requests.average / baseline.requests.average;
  console.log(`ratio: ${ratio.toFixed(2)}× of the bare server's throughput (goal ≥ 0.50×) ${ratio >= 0.5 ? 'MET' : 'NOT MET'}`);
  if (served.errors + served.non2xx > 0) {
    console.log('warning: the server answered some requests with errors; see the counts above');
    process.exitCode = 1;
  }
}

await main();
