/** Argument history per export: newest first, no duplicates, bounded. Pure. */
export const HISTORY_LIMIT = 20;

export function historyKey(moduleId: string, exportName: string): string {
  return `${moduleId}:${exportName}`;
}

export function pushHistory(list: readonly string[] | undefined, entry: string, limit = HISTORY_LIMIT): string[] {
  const text = entry.trim();
  if (!text) return [...(list ?? [])];
  return [text, ...(list ?? []).filter((e) => e !== text)].slice(0, limit);
}

export function loadJson<T>(storage: Pick<Storage, 'getItem'> | undefined, key: string, fallback: T): T {
  try {
    const raw = storage?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}
