import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareToCsv } from './compare-export.js';
import { keyAction } from './keys.js';
import { splitArgv } from './split-argv.js';

describe('splitArgv (as a POSIX shell splits plain words)', () => {
  it('keeps quoted spaces, escapes and empty quoted words', () => {
    expect(splitArgv(`3 "two words" 'and three' a\\ b "" x"y"z`)).toEqual(['3', 'two words', 'and three', 'a b', '', 'xyz']);
    expect(splitArgv(`"say \\"hi\\""`)).toEqual(['say "hi"']);
    expect(splitArgv('  ')).toEqual([]);
    expect(splitArgv(`'open`)).toEqual({ error: "unterminated ' quote at character 1" });
  });
  it('round-trips any words quoted with single quotes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((s) => !s.includes("'")), { maxLength: 8 }), (words) => {
        expect(splitArgv(words.map((w) => `'${w}'`).join(' '))).toEqual(words);
      }),
    );
  });
});

describe('keyboard shortcuts', () => {
  const screens = ['module', 'invoke', 'launches'] as const;
  const k = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });
  it('maps Ctrl/⌘+Enter, Esc, Ctrl/⌘+O and Ctrl/⌘+digit', () => {
    expect(keyAction(k('Enter', { ctrlKey: true }), screens)).toEqual({ kind: 'run' });
    expect(keyAction(k('Enter', { metaKey: true }), screens)).toEqual({ kind: 'run' });
    expect(keyAction(k('Enter'), screens)).toBeUndefined();
    expect(keyAction(k('Escape'), screens)).toEqual({ kind: 'cancel' });
    expect(keyAction(k('o', { ctrlKey: true }), screens)).toEqual({ kind: 'open' });
    expect(keyAction(k('3', { metaKey: true }), screens)).toEqual({ kind: 'screen', screen: 'launches' });
    expect(keyAction(k('4', { ctrlKey: true }), screens)).toBeUndefined();
    expect(keyAction(k('1', { ctrlKey: true, altKey: true }), screens)).toBeUndefined();
  });
});

describe('comparison CSV', () => {
  it('has one row per run, warm-ups marked apart, outliers and the loop marker, quoting arguments with commas', () => {
    const stats = { median: 1, p05: 1, p95: 1, min: 1, max: 1, mean: 1 };
    const csv = compareToCsv({ compareId: 'c', moduleId: 'm', exportName: 'e', repetitions: 2, outputsEqual: true, cancelled: false, points: [{ argsJson: '[1, 2]', offloadMs: [1, 2], fallbackMs: [3, 4], offload: stats, fallback: stats, speedup: 1, outputsEqual: true, offloadActions: [], warmupOffloadMs: [9], warmupFallbackMs: [8], offloadOutliers: [1], fallbackOutliers: [], dispatch: 'dispatched' }] });
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toBe('0,,"[1, 2]",warm-up,offload,1,9,,dispatched,true');
    expect(lines[3]).toBe('0,,"[1, 2]",timed,offload,1,1,false,dispatched,true');
    expect(lines[4]).toBe('0,,"[1, 2]",timed,offload,2,2,true,dispatched,true');
    expect(lines[6]).toBe('0,,"[1, 2]",timed,fallback,2,4,false,dispatched,true');
  });
});
