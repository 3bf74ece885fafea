import { useSyncExternalStore } from 'react';
import { useWorkbench } from '../store/store.js';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

function subscribe(cb: () => void): () => void {
  const q = query();
  q.addEventListener('change', cb);
  return () => q.removeEventListener('change', cb);
}

/** The effective theme: the setting, or the system's when the setting is `system`. */
export function useTheme(): 'dark' | 'light' {
  const setting = useWorkbench((s) => s.settings?.theme ?? 'system');
  const systemDark = useSyncExternalStore(subscribe, () => query().matches, () => false);
  return setting === 'system' ? (systemDark ? 'dark' : 'light') : setting;
}
