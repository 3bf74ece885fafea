/**
 * Instance worker entry: holds compiled modules by key, and for each `call` makes a fresh guest
 * instance, calls it, and replies once. The engine enforces the deadline by terminating this
 * thread, so nothing here needs to watch time.
 */
import { parentPort } from 'node:worker_threads';
import { TensorWasmError } from '../../contract/errors.js';
import type { RunEvent, RunEventBody } from '../../contract/events.js';
import type { ResultValue } from '../../contract/values.js';
import { mapResults } from '../marshal/results.js';
import { getLogger } from '../telemetry/logger.js';
import { GuestExit } from '../wasi/guest-wasi.js';
import { guestErrorInfo } from './guest-error.js';
import { instantiateGuest, type CudaBridge, type Guest } from './instantiate-guest.js';
import type { CallRequest, DoneMessage, ModuleInfo, WorkerReply } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('instance-worker must run in a worker thread');

const modules = new Map<string, { compiled: WebAssembly.Module; info: ModuleInfo }>();
const logger = getLogger({ component: 'instance-worker' });
let cuda: CudaBridge | undefined;

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

async function loadCuda(): Promise<CudaBridge> {
  try {
    cuda ??= await import('./cuda-bridge.js');
    return cuda;
  } catch (error) {
    throw new TensorWasmError('internal', `cannot load the wasi:cuda host: ${(error as Error).message}`);
  }
}

async function handle(req: CallRequest): Promise<void> {
  if (req.module) modules.set(req.moduleKey, req.module);
  const entry = modules.get(req.moduleKey);
  const startedAt = nowMs();
  const events: RunEvent[] = [];
  let stdout = '';
  let stderr = '';
  const emit = (body: RunEventBody) => {
    const event = { ...body, runId: req.runId, t: nowMs() } as RunEvent;
    if (req.stream) port!.postMessage({ type: 'event', id: req.id, event } satisfies WorkerReply);
    else events.push(event);
  };
  let terminated: TensorWasmError | undefined;
  let guest: Guest | undefined;
  let instantiateMs = 0;
  let callMs = 0;
  const reply: Omit<DoneMessage, 'stdout' | 'stderr' | 'events' | 'launches' | 'timing'> = { type: 'done', id: req.id, ok: false };
  try {
    if (!entry) throw new TensorWasmError('internal', `module ${req.moduleKey} was not sent to this worker`);
    const bridge = entry.info.usesWasiCuda ? await loadCuda() : undefined;
    const t0 = performance.now();
    guest = instantiateGuest({
      module: entry.compiled,
      info: entry.info,
      maxMemoryBytes: req.maxMemoryBytes,
      device: req.device,
      offload: req.offload,
      wasi: req.wasi,
      emit,
      onStdout: (text) => {
        stdout += text;
        emit({ type: 'stdout', text });
      },
      onStderr: (text) => {
        stderr += text;
        emit({ type: 'stderr', text });
      },
      terminate: (error) => {
        terminated = error;
        throw error;
      },
      ...(bridge ? { cuda: bridge } : {}),
      logger,
    });
    const t1 = performance.now();
    instantiateMs = t1 - t0;
    const fn = guest.instance.exports[req.exportName];
    if (typeof fn !== 'function') throw new TensorWasmError('unknown_export', `${req.exportName} is not a function export`);
    if (req.mode === 'run') {
      let exitCode = 0;
      try {
        (fn as () => void)();
      } catch (error) {
        if (!(error instanceof GuestExit) || terminated) throw error;
        exitCode = error.exitCode;
      }
      reply.exitCode = exitCode;
    } else {
      const returned = (fn as (...a: unknown[]) => unknown)(...req.args);
      reply.results = mapResults(returned, req.resultTypes) as ResultValue[];
    }
    callMs = performance.now() - t1;
    reply.ok = true;
  } catch (error) {
    reply.error = guestErrorInfo(error, terminated, req.exportName);
  } finally {
    guest?.wasi?.flush();
    try {
      guest?.dispose();
    } catch (error) {
      logger.warn({ err: error }, 'disposing the guest failed');
    }
  }
  const device = guest?.cudaHost?.deviceLabel();
  const done: DoneMessage = {
    ...reply,
    stdout,
    stderr,
    events,
    ...(device ? { device } : {}),
    launches: guest?.cudaHost?.launchCount() ?? 0,
    timing: { startedAt, instantiateMs, callMs },
  };
  port!.postMessage(done);
}

port.on('message', (req: CallRequest) => {
  handle(req).catch((error: unknown) => {
    logger.error({ err: error }, 'instance worker failed');
    port.postMessage({
      type: 'done',
      id: req.id,
      ok: false,
      error: { code: 'internal', message: String((error as Error)?.message ?? error) },
      stdout: '',
      stderr: '',
      events: [],
      launches: 0,
      timing: { startedAt: nowMs(), instantiateMs: 0, callMs: 0 },
    } satisfies DoneMessage);
  });
});
