import type { StateCreator } from 'zustand';
import type { WorkbenchApi } from '../../contract/workbench.js';
import type { CompareSlice } from './compare-slice.js';
import type { InvokeSlice } from './invoke-slice.js';
import type { LaunchSlice } from './launch-slice.js';
import type { ModuleSlice } from './module-slice.js';
import type { PresetsSlice } from './presets-slice.js';
import type { RunsSlice } from './runs-slice.js';
import type { SettingsSlice } from './settings-slice.js';
import type { UiSlice } from './ui-slice.js';

export type WorkbenchState = UiSlice & ModuleSlice & InvokeSlice & LaunchSlice & CompareSlice & RunsSlice & SettingsSlice & PresetsSlice;

/** What every slice gets: the transport and somewhere to persist small per-window things. */
export interface SliceDeps {
  api: WorkbenchApi;
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
}

export type SliceCreator<T> = (deps: SliceDeps) => StateCreator<WorkbenchState, [], [], T>;
