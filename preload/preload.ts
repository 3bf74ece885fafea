/**
 * The preload bridge: exposes `window.tensorWasm` with one function per WorkbenchApi method, each
 * bound to its own channel, and `window.tensorWasmDesktop` for the desktop-only calls; the page
 * can never name a channel. Runs sandboxed, so it is bundled
 * to one CommonJS file (`vite build --mode preload`, see vite.config.ts) with only `electron` external.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { DESKTOP_CHANNELS, type DesktopBridge } from '../contract/desktop-bridge.js';
import {
  WORKBENCH_EVENTS_CHANNEL,
  workbenchChannel,
  type IpcReply,
  type WorkbenchArgs,
  type WorkbenchBridge,
  type WorkbenchEvent,
  type WorkbenchMethod,
  type WorkbenchReturn,
} from '../contract/workbench.js';

function call<M extends WorkbenchMethod>(method: M): (...args: WorkbenchArgs<M>) => Promise<IpcReply<WorkbenchReturn<M>>> {
  const channel = workbenchChannel(method);
  return (...args) => ipcRenderer.invoke(channel, ...args) as Promise<IpcReply<WorkbenchReturn<M>>>;
}

export const bridge: WorkbenchBridge = {
  getTarget: call('getTarget'),
  listExamples: call('listExamples'),
  listRecent: call('listRecent'),
  openModule: call('openModule'),
  pickModule: call('pickModule'),
  invoke: call('invoke'),
  cancel: call('cancel'),
  compareOffload: call('compareOffload'),
  listRuns: call('listRuns'),
  getRun: call('getRun'),
  deleteRun: call('deleteRun'),
  exportReport: call('exportReport'),
  getSettings: call('getSettings'),
  updateSettings: call('updateSettings'),
  listDevices: call('listDevices'),
  getPtx: call('getPtx'),
  onEvents: (listener) => {
    const forward = (_event: IpcRendererEvent, batch: WorkbenchEvent[]) => listener(batch);
    ipcRenderer.on(WORKBENCH_EVENTS_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(WORKBENCH_EVENTS_CHANNEL, forward);
    };
  },
};

/** The desktop-only calls (a remote server's token, kept by main with safeStorage). */
export const desktopBridge: DesktopBridge = {
  getRemoteToken: (url) => ipcRenderer.invoke(DESKTOP_CHANNELS.getRemoteToken, url),
  setRemoteToken: (url, token) => ipcRenderer.invoke(DESKTOP_CHANNELS.setRemoteToken, url, token),
};

contextBridge.exposeInMainWorld('tensorWasm', bridge);
contextBridge.exposeInMainWorld('tensorWasmDesktop', desktopBridge);
