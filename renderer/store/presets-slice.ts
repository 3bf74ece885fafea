import type { InvokePreset, RunRecord } from '../../contract/workbench.js';
import { presetProblem, presetsFor, removePreset, upsertPreset } from '../lib/presets.js';
import type { SliceCreator } from './types.js';

export interface PresetsSlice {
  /** Saves what the Invoke screen holds now (export, arguments) under `name` for this module. */
  savePreset(name: string): Promise<boolean>;
  deletePreset(name: string): Promise<boolean>;
  /** Runs the module's preset number `index` (0-based; Alt+1 is 0): selects it, then invokes. */
  runPreset(index: number): Promise<RunRecord | undefined>;
  modulePresets(): InvokePreset[];
}

export const createPresetsSlice: SliceCreator<PresetsSlice> =
  () =>
  (set, get) => ({
    modulePresets: () => {
      const { module, settings } = get();
      return module ? presetsFor(settings?.presets, module.name) : [];
    },
    savePreset: async (name) => {
      const { module, exportName, settings } = get();
      if (!module || !exportName) return false;
      const preset: InvokePreset = { moduleName: module.name, name, exportName, argsJson: get().currentArgs() };
      if (exportName === '_start' && get().wasiArgs) preset.wasiArgs = get().wasiArgs;
      const problem = presetProblem(settings?.presets, preset);
      if (problem) {
        get().notify('error', `preset not saved: ${problem}`);
        return false;
      }
      const ok = await get().updateSettings({ presets: upsertPreset(settings?.presets, preset) });
      if (!ok) get().notify('error', `preset not saved: ${get().settingsError?.message ?? 'the settings were refused'}`);
      return ok;
    },
    deletePreset: async (name) => {
      const { module, settings } = get();
      if (!module) return false;
      return get().updateSettings({ presets: removePreset(settings?.presets, module.name, name) });
    },
    runPreset: async (index) => {
      const { module, activeRunId } = get();
      const preset = get().modulePresets()[index];
      if (!module || !preset || activeRunId) return undefined;
      const exists = module.description.exports.some((e) => e.kind === 'func' && e.name === preset.exportName);
      if (!exists) {
        set({ lastRecord: undefined, lastError: { code: 'unknown_export', message: `preset '${preset.name}' calls '${preset.exportName.slice(0, 100)}', which ${module.name.slice(0, 100)} does not export` } });
        return undefined;
      }
      get().selectExport(preset.exportName);
      get().setArgs(preset.argsJson);
      get().setWasiArgs(preset.wasiArgs ?? '');
      return get().invoke();
    },
  });
