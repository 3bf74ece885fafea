/**
 * Child-process entry for the CUDA device tests: `node --import tsx scenario.ts <name>` runs one
 * scenario (scenarios.ts) against whatever libcuda.so.1 the loader finds (the stub, through
 * LD_LIBRARY_PATH) and prints its result as one JSON line on stdout.
 */
import { scenarios } from './scenarios.js';

const name = process.argv[2] ?? '';
const scenario = scenarios[name];
if (!scenario) {
  process.stdout.write(`${JSON.stringify({ error: `unknown scenario ${name}` })}\n`);
  process.exit(2);
}
try {
  const result = await scenario();
  process.stdout.write(`${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ crashed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })}\n`);
  process.exitCode = 1;
}
