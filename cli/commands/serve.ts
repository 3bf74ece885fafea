import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import type { DeviceSelection } from '../../contract/device.js';
import type { EngineConfig } from '../../contract/engine.js';
import { TensorWasmError } from '../../contract/errors.js';
import { setupTracingFromEnv, shutdownTracing } from '../../runtime/telemetry/tracing.js';
import { buildServer } from '../../server/app.js';
import { parseDuration, parseSize } from '../units.js';

interface ServeFlags {
  host: string;
  port: string;
  dataDir?: string;
  token?: string;
  ui?: boolean;
  uiDir?: string;
  bodyLimit: string;
  deadline?: string;
  poolSize?: string;
  maxQueue?: string;
  device?: DeviceSelection;
  corsOrigin: string[];
}

/** `tensor-wasm serve`: the HTTP API (docs/HTTP-API.md), optionally with the workbench UI. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the HTTP API: deploy, invoke and watch modules over HTTP (docs/HTTP-API.md)')
    .option('--host <address>', 'address to listen on; beyond loopback a token is required', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--data-dir <dir>', 'where deployed modules are kept (default: $TENSOR_WASM_DATA_DIR or ~/.local/share/tensor-wasm)')
    .option('--token <token>', 'require Authorization: Bearer <token> on every request (default: $TENSOR_WASM_TOKEN)')
    .option('--ui', 'also serve the workbench (built into dist/renderer) at /')
    .addOption(new Option('--ui-dir <dir>', 'serve this folder at / instead of dist/renderer').hideHelp())
    .option('--body-limit <size>', 'largest request body, e.g. 64MiB', '64MiB')
    .option('--deadline <duration>', 'per-invocation deadline, e.g. 30s (clients may only lower it)')
    .option('--pool-size <n>', 'instance workers (default: number of cores)')
    .option('--max-queue <n>', 'invocations waiting for a worker before 429 queue_full')
    .addOption(new Option('--device <device>', 'device for wasi:cuda launches').choices(['auto', 'cpu', 'cuda']))
    .option('--cors-origin <origin>', 'let pages from this origin (e.g. http://127.0.0.1:5173) call the server; repeatable', collect, [])
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  const token = flags.token ?? (process.env.TENSOR_WASM_TOKEN?.trim() || undefined);
  const port = integer(flags.port, '--port', 0);
  const dataDir = resolve(flags.dataDir ?? process.env.TENSOR_WASM_DATA_DIR ?? defaultDataDir());
  const engineConfig: Partial<EngineConfig> = {};
  if (flags.deadline !== undefined) engineConfig.deadlineMs = parseDuration(flags.deadline);
  if (flags.poolSize !== undefined) engineConfig.poolSize = integer(flags.poolSize, '--pool-size', 1);
  if (flags.maxQueue !== undefined) engineConfig.maxQueue = integer(flags.maxQueue, '--max-queue', 0);
  if (flags.device !== undefined) engineConfig.device = flags.device;
  const uiDir = flags.uiDir ? resolve(flags.uiDir) : flags.ui ? builtUiDir() : undefined;

  await setupTracingFromEnv();
  const app = await buildServer({
    dataDir,
    host: flags.host,
    engineConfig,
    warmEngine: true,
    bodyLimitBytes: parseSize(flags.bodyLimit, '--body-limit'),
    ...(token ? { token } : {}),
    ...(uiDir ? { uiDir } : {}),
    ...(flags.corsOrigin.length > 0 ? { corsOrigins: flags.corsOrigin } : {}),
  });
  const stop = async () => {
    await app.close();
    await shutdownTracing();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  try {
    await app.listen({ host: flags.host, port });
  } catch (error) {
    await stop();
    const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? `port ${port} is in use` : (error as Error).message;
    throw new TensorWasmError('internal', `cannot listen on ${flags.host}:${port}: ${reason}`);
  }
  const address = app.server.address();
  const actualPort = address !== null && typeof address === 'object' ? address.port : port;
  const shownHost = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
  process.stdout.write(`listening on http://${shownHost}:${actualPort} (data: ${dataDir}${uiDir ? `, ui: ${uiDir}` : ''})\n`);
  await new Promise<void>((done) => app.server.once('close', () => done()));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME?.trim() || join(homedir(), '.local', 'share');
  return join(base, 'tensor-wasm');
}

/** dist/renderer at the package root, found from this file (source or dist/cli/commands). */
function builtUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  throw new TensorWasmError('not_found', 'the workbench is not built: run `npm run build:renderer` (or pass --ui-dir)');
}

function integer(text: string, flag: string, min: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new TensorWasmError('invalid_args', `${flag} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}
