/**
 * The workbench's keyboard shortcuts, as a pure mapping from a key event to an action, so the
 * bindings are testable without a DOM: Ctrl/⌘+Enter run, Esc cancel, Ctrl/⌘+O open,
 * Ctrl/⌘+1…7 screens, Alt+1…9 run the module's preset of that number.
 */
import type { Screen } from '../store/ui-slice.js';

export type KeyAction = { kind: 'run' } | { kind: 'cancel' } | { kind: 'open' } | { kind: 'screen'; screen: Screen } | { kind: 'preset'; index: number };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  /** The physical key: Alt+digit types another character on macOS (Alt+1 is ¡), its code stays Digit1. */
  code?: string;
}

export function keyAction(e: KeyLike, screens: readonly Screen[]): KeyAction | undefined {
  const mod = (e.ctrlKey || e.metaKey) && !e.altKey;
  if (e.key === 'Escape' && !mod) return { kind: 'cancel' };
  if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
    const digit = /^Digit([1-9])$/.exec(e.code ?? '')?.[1] ?? (/^[1-9]$/.test(e.key) ? e.key : undefined);
    return digit ? { kind: 'preset', index: Number(digit) - 1 } : undefined;
  }
  if (!mod || e.shiftKey) return undefined;
  if (e.key === 'Enter') return { kind: 'run' };
  if (e.key === 'o' || e.key === 'O') return { kind: 'open' };
  if (/^[1-9]$/.test(e.key)) {
    const screen = screens[Number(e.key) - 1];
    return screen ? { kind: 'screen', screen } : undefined;
  }
  return undefined;
}
