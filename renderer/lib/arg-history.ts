/** Argument history per export: newest first, no duplicates, bounded in count and in bytes. Pure. */
export const HISTORY_LIMIT = 20;
/** An argument text longer than this is run but not remembered (it would crowd out everything else). */
export const HISTORY_ENTRY_MAX_CHARS = 16 * 1024;
/** All exports' histories together stay under this many characters (localStorage holds ~5 M). */
export const HISTORY_TOTAL_MAX_CHARS = 256 * 1024;

export function historyKey(moduleId: string, exportName: string): string {
  return `${moduleId}:${exportName}`;
}

export function pushHistory(list: readonly string[] | undefined, entry: string, limit = HISTORY_LIMIT): string[] {
  // The list comes from localStorage or a lookup by key ("toString" finds Object.prototype's): only an array counts.
  const prior = Array.isArray(list) ? list : [];
  const text = entry.trim();
  if (!text || text.length > HISTORY_ENTRY_MAX_CHARS) return [...prior];
  return [text, ...prior.filter((e) => e !== text)].slice(0, limit);
}

function totalChars(history: Record<string, string[]>): number {
  let n = 0;
  for (const [key, list] of Object.entries(history)) for (const e of list) n += key.length + e.length;
  return n;
}

/**
 * Drops the oldest entries, from the longest lists first, until the whole history fits in
 * `maxChars`; `keep` (the export just used) loses its own entries last.
 */
export function boundHistory(history: Record<string, string[]>, maxChars = HISTORY_TOTAL_MAX_CHARS, keep?: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, list] of Object.entries(history)) {
    if (!Array.isArray(list)) continue; // storage written by someone else: keep only what has the right shape
    const kept = list.filter((e) => typeof e === 'string' && e.length <= HISTORY_ENTRY_MAX_CHARS);
    if (kept.length) out[key] = kept;
  }
  let total = totalChars(out);
  while (total > maxChars) {
    const keys = Object.keys(out).filter((k) => out[k]!.length > 0);
    if (keys.length === 0) break;
    const others = keys.filter((k) => k !== keep);
    const victim = (others.length ? others : keys).reduce((a, b) => (out[b]!.length > out[a]!.length ? b : a));
    const removed = out[victim]!.pop()!;
    total -= victim.length + removed.length;
    if (out[victim]!.length === 0) delete out[victim];
  }
  return out;
}

export function loadJson<T>(storage: Pick<Storage, 'getItem'> | undefined, key: string, fallback: T): T {
  try {
    const raw = storage?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Saves small per-window state. Storage can refuse (QuotaExceededError, private mode, disabled):
 * that must never stop what the person asked for, so failures are reported, not thrown.
 */
export function saveJson(storage: Pick<Storage, 'setItem'> | undefined, key: string, value: unknown): boolean {
  try {
    storage?.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}
