import { toErrorInfo, type ErrorInfo } from '../../contract/errors.js';
import type { DeviceInfo } from '../../contract/device.js';
import type { WorkbenchSettings } from '../../contract/workbench.js';
import type { SliceCreator } from './types.js';

export interface SettingsSlice {
  settings?: WorkbenchSettings;
  devices: DeviceInfo[];
  devicesError?: ErrorInfo;
  settingsError?: ErrorInfo;
  /** Why the settings could not be read (an unreachable target, a rejected token): shown, never a spinner forever. */
  settingsLoadError?: ErrorInfo;
  loadSettings(): Promise<void>;
  updateSettings(patch: Partial<WorkbenchSettings>): Promise<boolean>;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> =
  ({ api }) =>
  (set, get) => ({
    devices: [],
    // Settings and devices load independently: a device probe that fails must not hide settings.
    loadSettings: async () => {
      await Promise.all([
        api.getSettings().then(
          (settings) => set({ settings, settingsLoadError: undefined }),
          (error: unknown) => set({ settingsLoadError: toErrorInfo(error) }),
        ),
        api.listDevices().then(
          (devices) => set({ devices, devicesError: undefined }),
          (error: unknown) => set({ devicesError: toErrorInfo(error) }),
        ),
      ]);
    },
    updateSettings: async (patch) => {
      try {
        set({ settings: await api.updateSettings(patch), settingsError: undefined });
        return true;
      } catch (error) {
        set({ settingsError: toErrorInfo(error) });
        return false;
      }
    },
  });
