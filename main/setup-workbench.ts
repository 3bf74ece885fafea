/**
 * Starts the engine and the workbench service in the main process and wires them to IPC. The
 * engine runs every instance in a worker thread (its pool), so a guest that spins, traps or
 * crashes a device call ends that worker, never the window or this process's event loop.
 */
import { join } from 'node:path';
import { createEngine } from '../runtime/engine.js';
import { createEventBatcher } from '../workbench/event-batcher.js';
import { offloadDecisions } from '../workbench/offload-decisions.js';
import { WorkbenchService } from '../workbench/workbench-service.js';
import { getLogger } from '../runtime/telemetry/logger.js';
import type { DesktopApi } from '../contract/desktop-bridge.js';
import { ChosenFiles } from './chosen-files.js';
import { createIpcHub, type EventSink, type IpcMainLike } from './ipc-hub.js';
import { RemoteTokenStore, type SafeStorageLike } from './remote-token-store.js';
import { createWorkbenchHandlers, type OpenDialog } from './workbench-handlers.js';

export interface WorkbenchSetup {
  service: WorkbenchService;
  /** Call with the window once it exists: events go to it in batches. */
  attach(window: EventSink): void;
  close(): Promise<void>;
}

export function setupWorkbench(options: { ipcMain: IpcMainLike; openDialog: OpenDialog; userDataDir: string; examplesDir: string; engineVersion: string; safeStorage?: SafeStorageLike }): WorkbenchSetup {
  const log = getLogger({ component: 'workbench.main' });
  const engine = createEngine();
  const service = new WorkbenchService({
    engine,
    dataDir: join(options.userDataDir, 'workbench'),
    examplesDir: options.examplesDir,
    engineVersion: options.engineVersion,
    // The service never reads a path the renderer names: main reads only files the person chose (workbench-handlers.ts).
    allowPaths: false,
    analyzeOffload: offloadDecisions,
    // The log level applies to this process's logger and to instance workers started from now on.
    onLogLevel: (level) => {
      process.env.TENSOR_WASM_LOG = level;
      getLogger().level = level;
      log.level = level;
    },
  });
  const chosen = new ChosenFiles(join(options.userDataDir, 'workbench', 'chosen-files.json'));
  const tokens = options.safeStorage ? new RemoteTokenStore(join(options.userDataDir, 'remote-token.json'), options.safeStorage) : undefined;
  const desktop: DesktopApi | undefined = tokens && { getRemoteToken: (url) => tokens.get(url), setRemoteToken: (url, token) => tokens.set(url, token) };
  const hub = createIpcHub(options.ipcMain, createWorkbenchHandlers(service, options.openDialog, options.engineVersion, chosen), (m) => log.warn(m), desktop);
  let sink: EventSink | undefined;
  const batcher = createEventBatcher((batch) => sink && hub.sendEvents(sink, batch));
  service.subscribe((event) => batcher.push(event));
  return {
    service,
    attach: (window) => {
      sink = window;
    },
    close: async () => {
      batcher.close();
      hub.dispose();
      await service.close();
      await engine.close();
    },
  };
}
