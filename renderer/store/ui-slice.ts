import type { ErrorInfo } from '../../contract/errors.js';
import { toErrorInfo } from '../../contract/errors.js';
import type { TargetInfo } from '../../contract/workbench.js';
import type { SliceCreator } from './types.js';

export type Screen = 'module' | 'invoke' | 'launches' | 'timeline' | 'compare' | 'runs' | 'settings';

export interface UiSlice {
  screen: Screen;
  target?: TargetInfo;
  mode: 'electron' | 'browser' | 'remote';
  connected: boolean;
  connectionReason?: string;
  notice?: { kind: 'error' | 'info'; text: string; error?: ErrorInfo };
  setScreen(screen: Screen): void;
  setMode(mode: UiSlice['mode']): void;
  setConnection(connected: boolean, reason?: string): void;
  loadTarget(): Promise<void>;
  notify(kind: 'error' | 'info', textOrError: unknown): void;
  dismissNotice(): void;
}

export const createUiSlice: SliceCreator<UiSlice> =
  ({ api }) =>
  (set) => ({
    screen: 'module',
    mode: 'browser',
    connected: true,
    setScreen: (screen) => set({ screen }),
    setMode: (mode) => set({ mode }),
    setConnection: (connected, reason) => set(reason === undefined ? { connected, connectionReason: undefined } : { connected, connectionReason: reason }),
    loadTarget: async () => {
      try {
        set({ target: await api.getTarget(), connected: true });
      } catch (error) {
        set({ connected: false, connectionReason: toErrorInfo(error).message });
      }
    },
    notify: (kind, textOrError) => {
      if (typeof textOrError === 'string') set({ notice: { kind, text: textOrError } });
      else {
        const info = toErrorInfo(textOrError);
        set({ notice: { kind, text: `${info.code}: ${info.message}`, error: info } });
      }
    },
    dismissNotice: () => set({ notice: undefined }),
  });
