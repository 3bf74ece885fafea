import type { Command } from 'commander';
import type { RunEvent } from '../../contract/events.js';
import { clientFrom, resolveFunction, withConnection, type ConnectionFlags } from '../../server/client/connection.js';
import { formatEventLine, printResults } from '../output.js';
import { parseDuration } from '../units.js';

interface InvokeFlags extends ConnectionFlags {
  args: string;
  json?: boolean;
  events?: boolean;
  deadline?: string;
}

/**
 * `tensor-wasm invoke <id> <export> --args '<json>'`: calls a deployed function over HTTP and
 * prints exactly what `run --invoke` prints (guest output as it happens, then the results or `ok`;
 * with --json the same object), with the same exit codes: errors are thrown to cli/main.ts.
 */
export function register(program: Command): void {
  withConnection(
    program
      .command('invoke')
      .description('call an export of a deployed function over HTTP and print its results as JSON (like run --invoke)')
      .argument('<function>', 'function id (or its unique name)')
      .argument('<export>', 'the export to call')
      .option('--args <json>', "the export's arguments as a JSON array (guide §3.1), sent as written", '[]')
      .option('--deadline <duration>', "lower this call's deadline: 500ms, 5s (never above the server's)")
      .option('--json', 'print one JSON object: {"results", "stdout", "stderr", "durationMs", "device", "launches", "events"}')
      .option('--events', 'write run events as JSON lines on stderr as they happen'),
  ).action(async (idOrName: string, exportName: string, flags: InvokeFlags) => {
    const client = clientFrom(flags);
    const id = await resolveFunction(client, idOrName);
    const json = flags.json === true;
    const events: RunEvent[] = [];
    const onEvent = (event: RunEvent) => {
      events.push(event);
      if (flags.events) process.stderr.write(formatEventLine(event) + '\n');
      if (json) return;
      if (event.type === 'stdout') process.stdout.write(event.text);
      else if (event.type === 'stderr') process.stderr.write(event.text);
    };
    const extra = flags.deadline === undefined ? {} : { deadlineMs: parseDuration(flags.deadline) };
    const result = await client.invokeStreaming(id, exportName, flags.args, onEvent, extra);
    if (json) {
      process.stdout.write(
        `{"results":${result.resultsJson},"stdout":${JSON.stringify(result.stdout)},"stderr":${JSON.stringify(result.stderr)},"durationMs":${JSON.stringify(result.durationMs)},"device":${JSON.stringify(result.device)},"launches":${result.launches},"events":${formatEventLine(events)}}\n`,
      );
    } else printResults(result.resultsJson);
    process.exitCode = 0;
  });
}
