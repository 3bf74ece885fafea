/**
 * A scripted EngineApi for the workbench's own tests (service, routes, IPC hub): deterministic
 * events and results, so those tests check the workbench's logic, not the engine's. The engine's
 * behaviour itself is tested by the engine's tests and by the e2e specs against the real engine.
 */
import { createHash } from 'node:crypto';
import type { DeviceInfo } from '../contract/device.js';
import type { CallOptions, EngineApi, InvokeResult, ModuleRef, RunResult } from '../contract/engine.js';
import { TensorWasmError } from '../contract/errors.js';
import type { RunEvent } from '../contract/events.js';
import type { ModuleDescription } from '../contract/module.js';

export function fakeDescription(hash: string, sizeBytes: number): ModuleDescription {
  return {
    hash,
    sizeBytes,
    kind: 'reactor',
    usesWasi: false,
    usesWasiCuda: true,
    memories: [],
    customSections: [],
    imports: [],
    exports: [
      { name: 'add', kind: 'func', signature: { params: ['i32', 'i32'], results: ['i32'] }, callableFromJson: true },
      { name: 'launch_twice', kind: 'func', signature: { params: ['i32'], results: ['i32'] }, callableFromJson: true },
      { name: 'slow', kind: 'func', signature: { params: [], results: [] }, callableFromJson: true },
      { name: 'sized', kind: 'func', signature: { params: ['i32'], results: ['i32'] }, callableFromJson: true },
    ],
  };
}

export class FakeEngine implements EngineApi {
  calls: { exportName: string; argsJson: string; options?: CallOptions }[] = [];
  /** Durations `sized` reports, in call order per side (offload on / off); 1 ms / 2 ms when used up. */
  script: { on: number[]; off: number[] } = { on: [], off: [] };

  async load(source: string | Uint8Array, name?: string): Promise<{ ref: ModuleRef; description: ModuleDescription }> {
    if (typeof source === 'string') throw new Error('fake engine loads bytes only');
    if (source[0] !== 0 || source[1] !== 0x61) throw new TensorWasmError('invalid_module', 'not a wasm module (bad magic)', { offset: 0 });
    const hash = createHash('sha256').update(source).digest('hex');
    return { ref: { hash, ...(name ? { name } : {}) }, description: fakeDescription(hash, source.length) };
  }

  describe(ref: ModuleRef): ModuleDescription {
    return fakeDescription(ref.hash, 8);
  }

  async invoke(ref: ModuleRef, exportName: string, argsJson: string, options: CallOptions = {}): Promise<InvokeResult> {
    this.calls.push({ exportName, argsJson, options });
    const runId = options.runId ?? 'r';
    const events: RunEvent[] = [];
    const emit = (e: RunEvent) => {
      events.push(e);
      options.onEvent?.(e);
    };
    const t = Date.now();
    emit({ type: 'started', runId, t, moduleHash: ref.hash, export: exportName, device: 'cpu' });
    if (exportName === 'slow') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 5000);
        options.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new TensorWasmError('cancelled', 'cancelled'));
        });
      });
    }
    if (exportName === 'add') {
      const args = JSON.parse(argsJson) as unknown[];
      if (args.length !== 2 || !args.every((a) => Number.isInteger(a))) throw new TensorWasmError('type_mismatch', 'add takes (i32, i32)', { argIndex: 0 });
      emit({ type: 'stdout', runId, t, text: 'adding\n' });
      const sum = (args[0] as number) + (args[1] as number);
      emit({ type: 'finished', runId, t, durationMs: 1, results: [sum] });
      return { runId, results: [sum], resultsJson: `[${sum}]`, stdout: 'adding\n', stderr: '', durationMs: 1, device: 'cpu', launches: 0, events };
    }
    if (exportName === 'launch_twice') {
      const n = (JSON.parse(argsJson) as number[])[0] ?? 1;
      for (let seq = 1; seq <= 2; seq++) {
        emit({ type: 'block-progress', runId, t, launchSeq: seq, completedBlocks: 1, totalBlocks: 2 });
        emit({ type: 'block-progress', runId, t, launchSeq: seq, completedBlocks: 2, totalBlocks: 2 });
        emit({ type: 'launch', runId, t, seq, kernel: seq === 1 ? 'vector_add' : 'scale', ptxHash: 'abc', grid: [2, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, args: `u32(${n})`, device: 'cpu', startMs: t, endMs: t + seq, kernelMs: seq });
      }
      // Offload on doubles the speed in this script; the outputs stay equal.
      const ms = options.offload?.enabled ? 1 : 2;
      if (options.offload?.enabled) emit({ type: 'offload', runId, t, loopId: 'f0:l0', function: 'launch_twice', action: 'dispatch', reason: 'trip count 8192 ≥ 4096' });
      return { runId, results: [n], resultsJson: `[${n}]`, stdout: '', stderr: '', durationMs: ms, device: 'cpu', launches: 2, events };
    }
    if (exportName === 'sized') {
      // A loop the offload pass dispatches from 32 iterations on and leaves on the CPU below.
      const n = (JSON.parse(argsJson) as number[])[0] ?? 1;
      const on = options.offload?.enabled === true;
      if (on) emit({ type: 'offload', runId, t, loopId: 'f0:l0', function: 'sized', action: n >= 32 ? 'dispatch' : 'fallback', reason: n >= 32 ? 'trip count ≥ 32' : 'trip count < 32' });
      const ms = (on ? this.script.on.shift() : this.script.off.shift()) ?? (on ? 1 : 2);
      return { runId, results: [n], resultsJson: `[${n}]`, stdout: '', stderr: '', durationMs: ms, device: 'cpu', launches: 0, events };
    }
    throw new TensorWasmError('unknown_export', `no export '${exportName}'`, { callable: ['add', 'launch_twice', 'slow', 'sized'] });
  }

  async run(ref: ModuleRef, options: CallOptions = {}): Promise<RunResult> {
    return { runId: options.runId ?? 'r', exitCode: 0, stdout: 'hello\n', stderr: '', durationMs: 1, device: 'cpu', launches: 0, events: [] };
  }

  async devices(): Promise<DeviceInfo[]> {
    return [
      { id: 'cpu', kind: 'cpu', name: 'CPU (PTX interpreter)', available: true, maxThreadsPerBlock: 1024, maxSharedMemoryPerBlock: 49152 },
      { id: 'cuda', kind: 'cuda', name: 'CUDA', available: false, reason: 'no libcuda on this machine', maxThreadsPerBlock: 1024, maxSharedMemoryPerBlock: 49152 },
    ];
  }

  async close(): Promise<void> {}
}

export const WASM_HEADER = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
