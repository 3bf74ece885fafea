/**
 * The `tensor-wasm` command line. Each command lives in cli/commands/<name>.ts and exports
 * `register(program)`; add a command with one line in COMMANDS below.
 *
 * Start-up (issue 18): a command's module is imported only when that command runs, so `run` never
 * loads the server, metrics or the HTTP client, and `--version` loads no command at all. Only
 * `--help` without a command (and an unknown command, for the suggestion) loads them all.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TensorWasmError } from '../contract/errors.js';
import { printError } from './output.js';
import { guardOutputPipes } from './pipes.js';

type Registrar = (program: Command) => void;

/** Command name → its module, in `--help` order. */
const COMMANDS: Readonly<Record<string, () => Promise<{ register: Registrar }>>> = {
  run: () => import('./commands/run.js'),
  inspect: () => import('./commands/inspect.js'),
  devices: () => import('./commands/devices.js'),
  serve: () => import('./commands/serve.js'),
  deploy: () => import('./commands/deploy.js'),
  functions: () => import('./commands/functions.js'),
  invoke: () => import('./commands/invoke.js'),
  bench: () => import('./commands/bench.js'),
};

/**
 * The commands a command line needs: the one it names; none for a bare `--version`; every one
 * otherwise (`--help`, `help <cmd>`, nothing, an unknown word: the help and the suggestion list them).
 */
export function commandsFor(args: readonly string[]): string[] {
  const first = args.find((a) => !a.startsWith('-'));
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return [first];
  if (first === undefined && args.length > 0 && args.every((a) => a === '-V' || a === '--version')) return [];
  return Object.keys(COMMANDS);
}

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

/** The program with the commands `args` (argv after the script) needs; every command when not given. */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const names = args === undefined ? Object.keys(COMMANDS) : commandsFor(args);
  const [{ Command }, ...modules] = await Promise.all([import('commander'), ...names.map((name) => COMMANDS[name]!())]);
  const program = new Command('tensor-wasm');
  program
    .description('Run WebAssembly modules whose guests launch CUDA kernels through wasi:cuda host imports.')
    .version(version())
    .showSuggestionAfterError()
    // Usage errors go through our one-line `invalid_args: ...` form and exit 2 (see main()).
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  for (const m of modules) m.register(program);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const args = argv.slice(2);
  // A bare --version needs no parser at all: the quickest answer is the version itself.
  if (commandsFor(args).length === 0) {
    process.stdout.write(version() + '\n');
    return 0;
  }
  const { CommanderError } = await import('commander');
  try {
    process.exitCode = 0;
    const program = await buildProgram(args);
    await program.parseAsync([...argv]);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (error.exitCode === 0) return 0;
      // Commander quotes the offending word whole; errors never echo more than ~200 characters of input.
      const message = error.message.replace(/^error:\s*/, '');
      return printError(new TensorWasmError('invalid_args', message.length > 300 ? `${message.slice(0, 300)}… (${message.length} characters)` : message));
    }
    return printError(error);
  } finally {
    // Tracing is set up only when an OTLP endpoint is configured (runtime/telemetry/tracing.ts):
    // without one there is nothing to flush, and nothing to load.
    if (process.env.TENSOR_WASM_OTLP_ENDPOINT?.trim() || process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
      const tracing = await import('../runtime/telemetry/tracing.js');
      await tracing.shutdownTracing();
    }
  }
}

/** True when this file is the program being run (bin/tensor-wasm.js or `node cli/main.ts`), not an import (tests). */
function isEntry(): boolean {
  return /(?:^|[\\/])(?:tensor-wasm(?:\.js)?|main\.[jt]s)$/.test(process.argv[1] ?? '');
}

if (isEntry()) {
  guardOutputPipes();
  const code = await main();
  process.exitCode = code;
  // A worker stuck in a host call ends when it returns to JS; do not let it hold the exit.
  setTimeout(() => process.exit(code), 2000).unref();
}
