/**
 * Electron's WorkbenchApi implementation: the shared WorkbenchService plus what only the desktop
 * has (the native open dialog, paths, the target label). Pure of Electron imports: the dialog is
 * injected, so tests call these handlers directly under Node.
 *
 * Paths: the service itself never reads a path here (it runs with allowPaths off). A path is read
 * by main only when the person chose it in the Open dialog (ChosenFiles), as a regular file under
 * the size cap (readChosenModule); anything else is refused with the same answer whether or not
 * the file exists, before the file system is touched. Drag-and-drop needs no path: the renderer
 * sends the dropped file's bytes.
 */
import { TensorWasmError, toErrorInfo } from '../contract/errors.js';
import type { LoadedModule, OpenModuleRequest, RecentModule, TargetInfo } from '../contract/workbench.js';
import type { WorkbenchService } from '../workbench/workbench-service.js';
import type { ChosenFiles } from './chosen-files.js';
import type { WorkbenchHandlers } from './ipc-hub.js';
import { displayName, readChosenModule } from './read-chosen-module.js';

/** Electron's dialog.showOpenDialog, reduced to what is used. */
export type OpenDialog = (options: { title: string; properties: ['openFile']; filters: { name: string; extensions: string[] }[] }) => Promise<{ canceled: boolean; filePaths: string[] }>;

export const PATH_NOT_CHOSEN_MESSAGE = 'a module is opened by path only when it was chosen with Open… in this app (or from its recent list); use Open… or drop the file on the window';

export function createWorkbenchHandlers(service: WorkbenchService, openDialog: OpenDialog, engineVersion: string, chosen: ChosenFiles): WorkbenchHandlers {
  const target: TargetInfo = { kind: 'local', label: 'this machine (Electron)', engineVersion, nativeDialogs: true };

  /** Opens a granted path: main reads it, the service sees only bytes. */
  async function openChosen(path: string): Promise<LoadedModule> {
    const granted = await chosen.allowed(path);
    if (!granted) throw new TensorWasmError('invalid_args', PATH_NOT_CHOSEN_MESSAGE);
    const bytes = await readChosenModule(granted);
    const name = displayName(granted);
    let loaded: LoadedModule;
    try {
      loaded = await service.openModule({ kind: 'bytes', name, bytes });
    } catch (error) {
      const info = toErrorInfo(error);
      // V8's messages quote bytes of the file ("found 72 6f 6f 74"): keep the offset, drop the text.
      if (info.code === 'invalid_module') {
        const offset = typeof info.details?.offset === 'number' ? info.details.offset : undefined;
        throw new TensorWasmError('invalid_module', `'${name}' is not a valid WebAssembly module${offset === undefined ? '' : ` (at byte offset ${offset})`}`, offset === undefined ? undefined : { offset });
      }
      throw error;
    }
    await chosen.opened(granted, loaded.moduleId);
    return loaded;
  }

  return {
    getTarget: async () => target,
    listExamples: () => service.listExamples(),
    listRecent: async (): Promise<RecentModule[]> => {
      const [recent, paths] = await Promise.all([service.listRecent(), chosen.pathsByModule()]);
      return recent.map((r) => {
        const path = paths.get(r.moduleId);
        return path ? { ...r, path } : r;
      });
    },
    openModule: (request: OpenModuleRequest) => (request.kind === 'path' ? openChosen(request.path) : service.openModule(request)),
    pickModule: async (): Promise<LoadedModule | null> => {
      const picked = await openDialog({ title: 'Open a WebAssembly module', properties: ['openFile'], filters: [{ name: 'WebAssembly', extensions: ['wasm'] }] });
      const path = picked.filePaths[0];
      if (picked.canceled || !path) return null;
      await chosen.grant(path);
      return openChosen(path);
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
    getPtx: (moduleId, ptxHash) => service.getPtx(moduleId, ptxHash),
  };
}
