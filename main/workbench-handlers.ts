/**
 * Electron's WorkbenchApi implementation: the shared WorkbenchService plus what only the desktop
 * has (the native open dialog, paths, the target label). Pure of Electron imports: the dialog is
 * injected, so tests call these handlers directly under Node.
 */
import type { LoadedModule, TargetInfo } from '../contract/workbench.js';
import type { WorkbenchService } from '../runtime/report/workbench-service.js';
import type { WorkbenchHandlers } from './ipc-hub.js';

/** Electron's dialog.showOpenDialog, reduced to what is used. */
export type OpenDialog = (options: { title: string; properties: ['openFile']; filters: { name: string; extensions: string[] }[] }) => Promise<{ canceled: boolean; filePaths: string[] }>;

export function createWorkbenchHandlers(service: WorkbenchService, openDialog: OpenDialog, engineVersion: string): WorkbenchHandlers {
  const target: TargetInfo = { kind: 'local', label: 'this machine (Electron)', engineVersion, nativeDialogs: true };
  return {
    getTarget: async () => target,
    listExamples: () => service.listExamples(),
    listRecent: () => service.listRecent(),
    openModule: (request) => service.openModule(request),
    pickModule: async (): Promise<LoadedModule | null> => {
      const picked = await openDialog({ title: 'Open a WebAssembly module', properties: ['openFile'], filters: [{ name: 'WebAssembly', extensions: ['wasm'] }] });
      const path = picked.filePaths[0];
      if (picked.canceled || !path) return null;
      return service.openModule({ kind: 'path', path });
    },
    invoke: (request) => service.invoke(request),
    cancel: (id) => service.cancel(id),
    compareOffload: (request) => service.compareOffload(request),
    listRuns: () => service.listRuns(),
    getRun: (runId) => service.getRun(runId),
    deleteRun: (runId) => service.deleteRun(runId),
    exportReport: (runId, format) => service.exportReport(runId, format),
    getSettings: () => service.getSettings(),
    updateSettings: (patch) => service.updateSettings(patch),
    listDevices: () => service.listDevices(),
  };
}
