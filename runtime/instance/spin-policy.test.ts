import { describe, expect, it } from 'vitest';
import { QUIET_MS, SpinPolicy } from './spin-policy.js';

// Times are performance.now() readings in ms; the policy is given µs settings.
describe('SpinPolicy', () => {
  it('never spins with a zero window', () => {
    const p = new SpinPolicy(0);
    p.sleptAt(10);
    expect(p.spinAfterCallAt(10)).toBe(false);
  });

  it('does not spin after the first call: nothing says calls come close together yet', () => {
    expect(new SpinPolicy(300).spinAfterCallAt(5)).toBe(false);
  });

  it('spins after a call that came within the window of the last idle moment, not after a later one', () => {
    const p = new SpinPolicy(300);
    p.sleptAt(100);
    expect(p.spinAfterCallAt(100.25)).toBe(true); // 250 µs later: a spin would have caught it
    expect(p.spinAfterCallAt(100.35)).toBe(false); // 350 µs later: it would not
  });

  it('spins for the window from the last finished call', () => {
    const p = new SpinPolicy(300);
    expect(p.keepSpinning(10.1, 10.09, 10)).toBe(true);
    expect(p.keepSpinning(10.29, 10.28, 10)).toBe(true);
    expect(p.keepSpinning(10.3, 10.29, 10)).toBe(false);
  });

  it('gives way when it finds it was descheduled, and does not spin again for a while', () => {
    const p = new SpinPolicy(300);
    expect(p.keepSpinning(10.2, 10.05, 10)).toBe(false); // two polls 150 µs apart: lost the core
    p.sleptAt(10);
    expect(p.spinAfterCallAt(10.2)).toBe(false); // quiet, although the call came within the window
    p.sleptAt(10 + QUIET_MS);
    expect(p.spinAfterCallAt(10.2 + QUIET_MS)).toBe(true); // the pause is over
  });

  it('takes the descheduling threshold it is given', () => {
    const p = new SpinPolicy(300, 1_000);
    expect(p.keepSpinning(10.2, 10.05, 10)).toBe(true); // 150 µs apart: under a 1 ms threshold
    expect(new SpinPolicy(300, Number.POSITIVE_INFINITY).keepSpinning(10.29, 10, 10)).toBe(true);
  });
});
