import { toErrorInfo, type ErrorInfo } from '../../contract/errors.js';
import { placeholderArgs } from '../../contract/json-args.js';
import type { ExampleInfo, LoadedModule, OpenModuleRequest, RecentModule } from '../../contract/workbench.js';
import type { SliceCreator } from './types.js';

export interface ModuleSlice {
  examples: ExampleInfo[];
  recent: RecentModule[];
  module?: LoadedModule;
  opening: boolean;
  openError?: ErrorInfo;
  loadModuleLists(): Promise<void>;
  /** Opens a module; an example's suggested export and arguments are preselected. */
  openModule(request: OpenModuleRequest, suggestion?: { exportName?: string; args?: string }): Promise<LoadedModule | undefined>;
  pickModule(): Promise<void>;
}

/** The export to preselect: the suggestion, else the first callable function. */
export function defaultExport(module: LoadedModule, suggested?: string): string | undefined {
  const fns = module.description.exports.filter((e) => e.kind === 'func');
  if (suggested && fns.some((e) => e.name === suggested)) return suggested;
  if (module.description.kind === 'command' && fns.some((e) => e.name === '_start')) return '_start';
  return (fns.find((e) => e.callableFromJson) ?? fns[0])?.name;
}

export const createModuleSlice: SliceCreator<ModuleSlice> =
  ({ api }) =>
  (set, get) => {
    const adopt = (module: LoadedModule, suggestion?: { exportName?: string; args?: string }) => {
      const exportName = defaultExport(module, suggestion?.exportName);
      const fn = module.description.exports.find((e) => e.name === exportName);
      // A new module starts clean: the previous module's result, error and console are not its own.
      set({ module, opening: false, openError: undefined, lastRecord: undefined, lastError: undefined, console: [] });
      get().resetLaunches();
      if (exportName) {
        get().selectExport(exportName);
        const args = suggestion?.args ?? (fn?.signature ? placeholderArgs(fn.signature) : '[]');
        if (!get().argsText[`${module.moduleId}:${exportName}`]) get().setArgs(args);
        set({ screen: 'invoke' });
      } else set({ screen: 'module' });
      void get().loadModuleLists();
    };
    return {
      examples: [],
      recent: [],
      opening: false,
      loadModuleLists: async () => {
        try {
          const [examples, recent] = await Promise.all([api.listExamples(), api.listRecent()]);
          set({ examples, recent });
        } catch (error) {
          get().notify('error', error);
        }
      },
      openModule: async (request, suggestion) => {
        set({ opening: true, openError: undefined });
        try {
          const module = await api.openModule(request);
          if (request.kind === 'example' && !suggestion) {
            const ex = get().examples.find((e) => e.id === request.id);
            suggestion = { ...(ex?.suggestedExport ? { exportName: ex.suggestedExport } : {}), ...(ex?.suggestedArgs ? { args: ex.suggestedArgs } : {}) };
          }
          adopt(module, suggestion);
          return module;
        } catch (error) {
          set({ opening: false, openError: toErrorInfo(error), screen: 'module' });
          return undefined;
        }
      },
      pickModule: async () => {
        set({ opening: true, openError: undefined });
        try {
          const module = await api.pickModule();
          if (module) adopt(module);
          else set({ opening: false });
        } catch (error) {
          set({ opening: false, openError: toErrorInfo(error) });
        }
      },
    };
  };
