/**
 * The workbench store: small per-domain slices (zustand's slices pattern) combined into one
 * vanilla store, built around a transport so tests can hand it a fake WorkbenchApi.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { createCompareSlice } from './compare-slice.js';
import { createInvokeSlice } from './invoke-slice.js';
import { createLaunchSlice } from './launch-slice.js';
import { createModuleSlice } from './module-slice.js';
import { createPresetsSlice } from './presets-slice.js';
import { createRunsSlice } from './runs-slice.js';
import { createSettingsSlice } from './settings-slice.js';
import type { SliceDeps, WorkbenchState } from './types.js';
import { createUiSlice } from './ui-slice.js';

export type WorkbenchStore = StoreApi<WorkbenchState>;

export function createWorkbenchStore(deps: SliceDeps): WorkbenchStore {
  return createStore<WorkbenchState>()((...a) => ({
    ...createUiSlice(deps)(...a),
    ...createModuleSlice(deps)(...a),
    ...createInvokeSlice(deps)(...a),
    ...createLaunchSlice(deps)(...a),
    ...createCompareSlice(deps)(...a),
    ...createRunsSlice(deps)(...a),
    ...createSettingsSlice(deps)(...a),
    ...createPresetsSlice(deps)(...a),
  }));
}

let current: WorkbenchStore | undefined;

export function setWorkbenchStore(store: WorkbenchStore): void {
  current = store;
}

export function getWorkbenchStore(): WorkbenchStore {
  if (!current) throw new Error('the workbench store is not set up');
  return current;
}

/** React hook over the app's store. */
export function useWorkbench<T>(selector: (state: WorkbenchState) => T): T {
  return useStore(getWorkbenchStore(), selector);
}
