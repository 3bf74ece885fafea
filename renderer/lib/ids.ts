/** Client-chosen ids for runs and comparisons (the server checks them: letters, digits, - and _). */
export function newId(prefix: string): string {
  const rand = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${rand.replace(/[^A-Za-z0-9]/g, '').slice(0, 24)}`;
}
