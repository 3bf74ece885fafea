/**
 * The only module in main/ that touches IPC. Registers one handler per WorkbenchApi method on its
 * own channel (`workbench:<method>`), and the desktop-only channels (`desktop:<method>`), drops calls from any sender that is not the workbench's own
 * page, checks every argument against the method's schema (contract/workbench-schemas.ts) before
 * any handler sees it, and turns failures into IpcReply values (Electron would flatten a thrown
 * error to text, losing its code).
 */
import { toErrorInfo, TensorWasmError } from '../contract/errors.js';
import { DESKTOP_CHANNELS, type DesktopApi, type DesktopMethod } from '../contract/desktop-bridge.js';
import { parseDesktopArgs, parseWorkbenchArgs } from '../contract/workbench-schemas.js';
import {
  WORKBENCH_EVENTS_CHANNEL,
  WORKBENCH_METHODS,
  workbenchChannel,
  type IpcReply,
  type WorkbenchApi,
  type WorkbenchEvent,
  type WorkbenchMethod,
} from '../contract/workbench.js';
import { isAppUrl } from './app-url.js';

export type WorkbenchHandlers = Pick<WorkbenchApi, WorkbenchMethod>;

export interface IpcInvokeEvent {
  senderFrame: { url: string } | null;
}

/** The parts of Electron's ipcMain the hub uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface EventSink {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface IpcHub {
  channels: string[];
  /** Pushes one batch of events to the window. */
  sendEvents(target: EventSink, batch: WorkbenchEvent[]): void;
  dispose(): void;
}

/** Only the workbench's own top-level page may call: not a remote page, not a devtools extension. */
export function isTrustedSender(event: IpcInvokeEvent): boolean {
  return event.senderFrame !== null && isAppUrl(event.senderFrame.url);
}

export function createIpcHub(ipcMain: IpcMainLike, handlers: WorkbenchHandlers, log: (message: string) => void = () => {}, desktop?: DesktopApi): IpcHub {
  const channels: string[] = [];
  /** One channel: trusted sender, then the schema, then the handler; every outcome an IpcReply. */
  const register = (channel: string, parse: (args: unknown[]) => unknown[], handler: (...args: unknown[]) => Promise<unknown>) => {
    ipcMain.handle(channel, async (event, ...args): Promise<IpcReply<unknown>> => {
      if (!isTrustedSender(event)) {
        log(`dropped ${channel} from untrusted sender ${(event.senderFrame?.url ?? '(no frame)').slice(0, 200)}`);
        return { ok: false, error: { code: 'unauthorized', message: 'this page may not use the workbench API' } };
      }
      let checked: unknown[];
      try {
        checked = parse(args);
      } catch (error) {
        log(`refused ${channel}: ${(error as Error).message}`);
        return { ok: false, error: toErrorInfo(error) };
      }
      try {
        return { ok: true, value: await handler(...checked) };
      } catch (error) {
        return { ok: false, error: toErrorInfo(error) };
      }
    });
    channels.push(channel);
  };
  for (const method of WORKBENCH_METHODS) {
    const handler = handlers[method] as (...args: unknown[]) => Promise<unknown>;
    if (typeof handler !== 'function') throw new TensorWasmError('internal', `no IPC handler for ${method}`);
    register(workbenchChannel(method), (args) => parseWorkbenchArgs(method, args), (...args) => handler.apply(handlers, args));
  }
  if (desktop) {
    for (const method of Object.keys(DESKTOP_CHANNELS) as DesktopMethod[]) {
      const handler = desktop[method] as (...args: unknown[]) => Promise<unknown>;
      register(DESKTOP_CHANNELS[method], (args) => parseDesktopArgs(method, args), (...args) => handler.apply(desktop, args));
    }
  }
  return {
    channels,
    sendEvents(target, batch) {
      if (!target.isDestroyed()) target.send(WORKBENCH_EVENTS_CHANNEL, batch);
    },
    dispose() {
      for (const channel of channels) ipcMain.removeHandler(channel);
    },
  };
}
