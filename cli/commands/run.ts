import type { Command } from 'commander';
import { TensorWasmError, toErrorInfo } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';
import { formatEventLine, printJson, printResults } from '../output.js';
import { callOptionsFrom, collect, type RawRunOptions } from '../run-options.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('run a module: its _start (exit code = the guest\'s), or one export with JSON arguments (--invoke)')
    .argument('<module>', 'path to the .wasm module')
    .argument('[guestArgs...]', 'arguments passed to the guest as argv[1..] (put them after --)')
    .option('--invoke <export>', 'call this export instead of _start and print its results as JSON')
    .option('--export <export>', 'alias of --invoke')
    .option('--args <json>', 'the export\'s arguments as a JSON array (guide §3.1)', '[]')
    .option('--dir <host::guest>', 'preopen a host directory at a guest path (repeatable)', collect, [])
    .option('--env <KEY=VALUE>', 'set a guest environment variable (repeatable; none by default)', collect, [])
    .option('--deadline <duration>', 'end the instance after this long: 500ms, 30s, 1m (default 30s)')
    .option('--max-memory <size>', 'cap the guest\'s linear memory: 64MiB, 256MiB, 1GiB (default 256MiB)')
    .option('--device <device>', 'device for wasi:cuda launches: auto, cpu or cuda (default auto)')
    .option('--offload <on|off>', 'auto-offload of SIMD loops (default off)')
    .option('--offload-trip-count <n>', 'auto-offload trip-count threshold (default 4096)')
    .option('--offload-v128-ratio <r>', 'auto-offload v128-ratio threshold (default 0.5)')
    .option('--json', 'print one JSON object: {"results", "stdout", "stderr", "durationMs", "events"}; on failure {"error", "stdout", "stderr", "events"}')
    .option('--events', 'write run events as JSON lines on stderr as they happen')
    .action(async (modulePath: string, guestArgs: string[], raw: RawRunOptions) => {
      process.exitCode = await runCommand(modulePath, guestArgs, raw);
    });
}

/** Runs the command; returns the exit code. Errors are thrown to cli/main.ts, which prints them. */
export async function runCommand(modulePath: string, guestArgs: readonly string[], raw: RawRunOptions): Promise<number> {
  if (raw.invoke !== undefined && raw.export !== undefined && raw.invoke !== raw.export) {
    throw new TensorWasmError('invalid_args', '--invoke and --export name different exports; give one');
  }
  const exportName = raw.invoke ?? raw.export;
  const options = callOptionsFrom(raw, guestArgs);
  const json = raw.json === true;
  // What a failed call leaves to report under --json: the output and events seen before it failed.
  const seen = { stdout: '', stderr: '', events: [] as RunEvent[] };
  // Without --json the guest's output is echoed as it happens; --events adds every event on stderr.
  options.onEvent = (event: RunEvent) => {
    if (raw.events) process.stderr.write(formatEventLine(event) + '\n');
    if (json) {
      seen.events.push(event);
      if (event.type === 'stdout') seen.stdout += event.text;
      else if (event.type === 'stderr') seen.stderr += event.text;
      return;
    }
    if (event.type === 'stdout') process.stdout.write(event.text);
    else if (event.type === 'stderr') process.stderr.write(event.text);
  };
  const { createEngine } = await import('../../runtime/engine.js');
  const engine = createEngine({ poolSize: 1, maxQueue: 1 });
  try {
    const { ref } = await engine.load(modulePath);
    if (exportName !== undefined) {
      const result = await engine.invoke(ref, exportName, raw.args ?? '[]', options);
      if (json) {
        process.stdout.write(
          `{"results":${result.resultsJson},"stdout":${JSON.stringify(result.stdout)},"stderr":${JSON.stringify(result.stderr)},"durationMs":${JSON.stringify(result.durationMs)},"device":${JSON.stringify(result.device)},"launches":${result.launches},"events":${formatEventLine(result.events)}}\n`,
        );
      } else printResults(result.resultsJson);
      return 0;
    }
    if (raw.args !== undefined && raw.args !== '[]') throw new TensorWasmError('invalid_args', '--args needs --invoke <export>; a _start program takes its arguments after --');
    const result = await engine.run(ref, options);
    if (json) {
      printJson({ results: [], exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, durationMs: result.durationMs, device: result.device, launches: result.launches, events: result.events });
    }
    return result.exitCode;
  } catch (error) {
    // One JSON object still: the error with everything the guest printed before it (a trap after
    // output). The usual `code: message` line follows on stderr (cli/main.ts) with its exit code.
    if (json) printJson({ error: toErrorInfo(error), stdout: seen.stdout, stderr: seen.stderr, events: seen.events });
    throw error;
  } finally {
    await engine.close();
  }
}
