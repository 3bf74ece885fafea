/**
 * Test support: builds the stub libcuda (native/stub/libcuda-stub.c) and runs scenarios in child
 * processes with it on LD_LIBRARY_PATH. A child per scenario because the driver library is opened
 * once per process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const stubSource = join(repoRoot, 'native', 'stub', 'libcuda-stub.c');
export const addonPath = join(repoRoot, 'native', 'build', 'Release', 'tensorwasm_cuda.node');

/** Why stub tests cannot run here, or undefined when they can (addon built, gcc present). */
export function stubUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'the stub libcuda is built for Linux only';
  if (!existsSync(addonPath)) {
    // Build it the way `npm ci` does; the script never fails, it records why.
    spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-native.mjs')], { stdio: 'ignore' });
    if (!existsSync(addonPath)) {
      const failed = join(repoRoot, 'native', 'build', 'BUILD_FAILED.txt');
      return `the CUDA addon is not built (${existsSync(failed) ? readFileSync(failed, 'utf8').trim() : 'unknown reason'})`;
    }
  }
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'gcc is not installed, so the stub libcuda cannot be built';
  }
  return undefined;
}

/** Compiles the stub once per content hash; returns the folder holding libcuda.so.1. */
export function buildStub(): string {
  const source = readFileSync(stubSource);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `tw-cuda-stub-${hash}`);
  const lib = join(dir, 'libcuda.so.1');
  if (existsSync(lib)) return dir;
  mkdirSync(dir, { recursive: true });
  const partial = `${lib}.${process.pid}.tmp`;
  execFileSync('gcc', ['-shared', '-fPIC', '-O1', '-fvisibility=hidden', '-o', partial, stubSource, '-lpthread']);
  renameSync(partial, lib);
  return dir;
}

export interface ScenarioRun<T> {
  result: T;
  /** The stub's call log, one call per line. */
  log: string[];
  stderr: string;
}

/**
 * Runs `scenario` (a name in scenario.ts) in a child node process. `stub: false` runs it with no
 * libcuda at all (this machine's real state).
 */
export function runScenario<T = Record<string, unknown>>(
  scenario: string,
  options: { env?: Record<string, string>; stub?: boolean } = {},
): ScenarioRun<T> {
  const work = mkdtempSync(join(tmpdir(), 'tw-cuda-scenario-'));
  const logFile = join(work, 'stub.log');
  const env: NodeJS.ProcessEnv = { ...process.env, TW_STUB_LOG: logFile, TENSOR_WASM_LOG: 'error', ...options.env };
  delete env.TENSOR_WASM_DEVICE;
  if (options.stub !== false) env.LD_LIBRARY_PATH = buildStub();
  else delete env.LD_LIBRARY_PATH;
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'scenario.ts'), scenario], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = (child.stdout ?? '').trim().split('\n');
  const last = lines.at(-1) ?? '';
  let result: T;
  try {
    result = JSON.parse(last) as T;
  } catch {
    throw new Error(`scenario ${scenario} printed no result (exit ${child.status}):\n${child.stdout}\n${child.stderr}`);
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : [];
  return { result, log, stderr: child.stderr ?? '' };
}
