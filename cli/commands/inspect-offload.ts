/** `tensor-wasm inspect --offload [--json] <module>`: every loop, its facts and its decision. */
import { TensorWasmError } from '../../contract/errors.js';
import { analyzeOffload } from '../../runtime/offload/analyze.js';
import { formatOffloadReport } from '../../runtime/offload/format-report.js';
import { describeFile } from './describe-file.js';
import { escapeLines } from '../escape.js';
import { printJson } from '../output.js';
import { parseOffload } from '../run-options.js';

export async function inspectOffload(modulePath: string, options: { json?: boolean; offloadTripCount?: string; offloadV128Ratio?: string }): Promise<void> {
  const thresholds = parseOffload({
    ...(options.offloadTripCount !== undefined ? { offloadTripCount: options.offloadTripCount } : {}),
    ...(options.offloadV128Ratio !== undefined ? { offloadV128Ratio: options.offloadV128Ratio } : {}),
  });
  // Loaded as the engine loads it, so a bad module gets the usual `invalid_module` error and exit code.
  const { bytes } = await describeFile(modulePath);
  const { report } = analyzeOffload(bytes, thresholds ?? {});
  if (report.errors.some((e) => e.function === '(module)')) throw new TensorWasmError('invalid_module', report.errors[0]?.message ?? 'unreadable module');
  if (options.json) printJson(report);
  else process.stdout.write(escapeLines(formatOffloadReport(modulePath, report)));
}
