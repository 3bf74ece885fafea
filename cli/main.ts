/**
 * The `tensor-wasm` command line. Each command lives in cli/commands/<name>.ts and exports
 * `register(program)`; add a command with one import and one call below.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { TensorWasmError } from '../contract/errors.js';
import { shutdownTracing } from '../runtime/telemetry/tracing.js';
import { register as registerDevices } from './commands/devices.js';
import { register as registerInspect } from './commands/inspect.js';
import { register as registerRun } from './commands/run.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerDeploy } from './commands/deploy.js';
import { register as registerFunctions } from './commands/functions.js';
import { register as registerInvoke } from './commands/invoke.js';
import { register as registerBench } from './commands/bench.js';
import { printError } from './output.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    if (pkg.version) return pkg.version;
  } catch {
    // dist/cli/main.js sits one folder deeper
  }
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command('tensor-wasm');
  program
    .description('Run WebAssembly modules whose guests launch CUDA kernels through wasi:cuda host imports.')
    .version(version())
    .showSuggestionAfterError()
    // Usage errors go through our one-line `invalid_args: ...` form and exit 2 (see main()).
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  registerRun(program);
  registerInspect(program);
  registerDevices(program);
  registerServe(program);
  registerDeploy(program);
  registerFunctions(program);
  registerInvoke(program);
  registerBench(program);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    process.exitCode = 0;
    await program.parseAsync([...argv]);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (error.exitCode === 0) return 0;
      return printError(new TensorWasmError('invalid_args', error.message.replace(/^error:\s*/, '')));
    }
    return printError(error);
  } finally {
    await shutdownTracing();
  }
}

/** True when this file is the program being run (bin/tensor-wasm.js or `node cli/main.ts`), not an import (tests). */
function isEntry(): boolean {
  return /(?:^|[\\/])(?:tensor-wasm(?:\.js)?|main\.[jt]s)$/.test(process.argv[1] ?? '');
}

if (isEntry()) {
  const code = await main();
  process.exitCode = code;
  // A worker stuck in a host call ends when it returns to JS; do not let it hold the exit.
  setTimeout(() => process.exit(code), 2000).unref();
}
