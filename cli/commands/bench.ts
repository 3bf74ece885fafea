/**
 * `tensor-wasm bench <module> --invoke <export> --args … [-n 20] [--compare-offload] [--json]`:
 * times an export; with --compare-offload, runs it with auto-offload on and forced off and
 * reports per-run timings, median, p95, speedup and whether the outputs were equal.
 */
import type { Command } from 'commander';
import { TensorWasmError } from '../../contract/errors.js';
import { createEngine } from '../../runtime/engine.js';
import { compareOffload, percentile } from '../../runtime/offload/compare.js';
import { formatCompare } from '../../runtime/offload/format-report.js';
import { printJson } from '../output.js';
import { parseDevice, parseOffload, type RawRunOptions } from '../run-options.js';
import { parseDuration } from '../units.js';

interface BenchOptions extends RawRunOptions {
  n?: string;
  compareOffload?: boolean;
}

function count(raw: string | undefined): number {
  const n = Number(raw ?? '20');
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new TensorWasmError('invalid_args', `-n must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('time an export over N runs; --compare-offload runs it with auto-offload on and forced off')
    .argument('<module>', 'path to the .wasm module')
    .requiredOption('--invoke <export>', 'the export to call')
    .option('--args <json>', "the export's arguments as a JSON array", '[]')
    .option('-n, --n <count>', 'timed runs per side (default 20)')
    .option('--compare-offload', 'compare auto-offload on vs forced off')
    .option('--offload <on|off>', 'auto-offload for plain timing (default off)')
    .option('--offload-trip-count <n>', 'auto-offload trip-count threshold (default 4096)')
    .option('--offload-v128-ratio <r>', 'auto-offload v128-ratio threshold (default 0.5)')
    .option('--device <device>', 'device: auto, cpu or cuda (default auto)')
    .option('--deadline <duration>', 'per-run deadline (default 30s)')
    .option('--json', 'print the figures as JSON')
    .action(async (modulePath: string, raw: BenchOptions) => {
      const n = count(raw.n);
      const offload = parseOffload(raw) ?? {};
      const device = parseDevice(raw.device);
      const deadlineMs = raw.deadline !== undefined ? parseDuration(raw.deadline) : undefined;
      const engine = createEngine({ poolSize: 1, maxQueue: 1 });
      try {
        const { ref } = await engine.load(modulePath);
        const exportName = raw.invoke as string;
        const args = raw.args ?? '[]';
        if (raw.compareOffload) {
          const result = await compareOffload(engine, ref, exportName, args, n, {
            offload,
            ...(device ? { device } : {}),
            ...(deadlineMs !== undefined ? { deadlineMs } : {}),
          });
          if (raw.json) printJson(result);
          else process.stdout.write(formatCompare(result));
          if (!result.outputsEqual) process.exitCode = 1;
          return;
        }
        const options = { offload, ...(device ? { device } : {}), ...(deadlineMs !== undefined ? { deadlineMs } : {}) };
        await engine.invoke(ref, exportName, args, options); // warm-up
        const runs: number[] = [];
        let resultsJson = '';
        for (let i = 0; i < n; i++) {
          const r = await engine.invoke(ref, exportName, args, options);
          runs.push(r.durationMs);
          resultsJson = r.resultsJson;
        }
        const sorted = [...runs].sort((a, b) => a - b);
        const figures = { export: exportName, args, n, runsMs: runs, medianMs: percentile(sorted, 50), p95Ms: percentile(sorted, 95), results: JSON.parse(resultsJson) as unknown };
        if (raw.json) printJson(figures);
        else process.stdout.write(`${exportName}${args} × ${n}: median ${figures.medianMs.toFixed(2)} ms, p95 ${figures.p95Ms.toFixed(2)} ms, results ${resultsJson}\n`);
      } finally {
        await engine.close();
      }
    });
}
