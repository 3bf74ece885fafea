/**
 * Test support for ptx.fuzz.test.ts (not part of the device): runs one fuzz case — load, then a
 * small launch — in a worker, so the test can end a case that hangs and a worker that runs out
 * of memory. Guest memory starts as a canary pattern; the reply says how many bytes outside the
 * launch's pointer windows changed.
 */
import { parentPort } from 'node:worker_threads';
import { DeviceError, type KernelArg } from '../../../contract/device.js';
import { TensorWasmError } from '../../../contract/errors.js';
import { CpuDevice } from './cpu-device.js';

export interface FuzzCase {
  ptx: string;
  entry: string;
  grid: [number, number, number];
  block: [number, number, number];
  sharedMemBytes: number;
  /** Values for the 4-byte parameters, in turn. */
  scalars: number[];
  wasm: boolean;
}

export type Failure = { code: number; message: string } | { exception: string };

export interface FuzzOutcome {
  load: 'ok' | Failure;
  launch?: 'ok' | Failure;
  /** Bytes outside every pointer window that the launch changed. */
  outside?: number;
}

export const CANARY = 0xa5;
export const FUZZ_CAP_BYTES = 64 * 1024 * 1024;
const WINDOW_AT = 1024, WINDOW_STRIDE = 4096, WINDOW_BYTES = 1024;

function failure(e: unknown): Failure {
  if (e instanceof DeviceError) return { code: e.cudaCode, message: e.message };
  if (e instanceof TensorWasmError) return { code: 0, message: `${e.code}: ${e.message}` };
  return { exception: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
}

let seq = 0;
export function runCase(c: FuzzCase): FuzzOutcome {
  const wasmMemory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
  const memory = new Uint8Array(wasmMemory.buffer);
  const device = new CpuDevice({ wasmKernels: c.wasm, memoryCap: { capBytes: FUZZ_CAP_BYTES, guestBytes: () => memory.length } });
  let kernel;
  try {
    kernel = device.loadKernel(c.ptx, `fuzz-${process.pid}-${seq++}`, c.entry);
  } catch (e) {
    return { load: failure(e) };
  }
  memory.fill(CANARY);
  const inside = new Uint8Array(memory.length);
  const args: KernelArg[] = [];
  let scalar = 0;
  kernel.params.forEach((p, i) => {
    if (p.sizeBytes === 8 && i < 12) {
      const offset = WINDOW_AT + i * WINDOW_STRIDE;
      for (let k = 0; k < WINDOW_BYTES; k++) memory[offset + k] = (k * 37 + i) & 0xff;
      inside.fill(1, offset, offset + WINDOW_BYTES);
      args.push({ kind: 'pointer', offset, length: WINDOW_BYTES });
    } else {
      const bytes = new Uint8Array(Math.max(p.sizeBytes, 1));
      const v = c.scalars[scalar++ % Math.max(1, c.scalars.length)] ?? 0;
      for (let k = 0; k < Math.min(4, bytes.length); k++) bytes[k] = (v >>> (8 * k)) & 0xff;
      args.push({ kind: 'scalar', tag: bytes.length === 8 ? 'u64' : 'u32', bytes });
    }
  });
  let launch: 'ok' | Failure = 'ok';
  try {
    device.launch({ kernel, grid: c.grid, block: c.block, sharedMemBytes: c.sharedMemBytes, args, memory, wasmMemory });
  } catch (e) {
    launch = failure(e);
  }
  let outside = 0;
  for (let k = 0; k < memory.length; k++) if (!inside[k] && memory[k] !== CANARY) outside++;
  return { load: 'ok', launch, outside };
}

parentPort?.on('message', (c: FuzzCase) => parentPort!.postMessage(runCase(c)));
