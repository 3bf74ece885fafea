/**
 * The Electron transport: wraps the preload bridge (`window.tensorWasm`) into a WorkbenchApi,
 * turning IpcReply errors back into TensorWasmError so the UI shows their code and message.
 */
import { TensorWasmError } from '../../contract/errors.js';
import { WORKBENCH_METHODS, type IpcReply, type WorkbenchApi, type WorkbenchBridge } from '../../contract/workbench.js';

declare global {
  interface Window {
    tensorWasm?: WorkbenchBridge;
  }
}

function unwrap<T>(reply: IpcReply<T>): T {
  if (reply.ok) return reply.value;
  throw TensorWasmError.from(reply.error);
}

export function createIpcTransport(bridge: WorkbenchBridge): WorkbenchApi {
  const api: Record<string, unknown> = {};
  for (const method of WORKBENCH_METHODS) {
    const call = bridge[method] as (...args: unknown[]) => Promise<IpcReply<unknown>>;
    api[method] = async (...args: unknown[]) => unwrap(await call(...args));
  }
  api.onEvents = bridge.onEvents;
  return api as unknown as WorkbenchApi;
}
