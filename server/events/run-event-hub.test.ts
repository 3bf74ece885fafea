import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../contract/events.js';
import { RunEventHub } from './run-event-hub.js';

const started = (runId: string): RunEvent => ({ type: 'started', runId, t: 1, moduleHash: 'h' });
const finished = (runId: string): RunEvent => ({ type: 'finished', runId, t: 2, durationMs: 1, results: [] });

describe('RunEventHub', () => {
  it('delivers to a subscriber that came before the run, then ends', () => {
    const hub = new RunEventHub();
    const seen: string[] = [];
    let ended = false;
    hub.subscribe('r', (e) => seen.push(e.type), () => (ended = true));
    const emit = hub.begin('r');
    emit(started('r'));
    expect(ended).toBe(false);
    emit(finished('r'));
    expect(seen).toEqual(['started', 'finished']);
    expect(ended).toBe(true);
  });

  it('replays a finished run and refuses to reuse its id', () => {
    const hub = new RunEventHub();
    const emit = hub.begin('r');
    emit(started('r'));
    emit(finished('r'));
    const seen: string[] = [];
    let ended = false;
    hub.subscribe('r', (e) => seen.push(e.type), () => (ended = true));
    expect(seen).toEqual(['started', 'finished']);
    expect(ended).toBe(true);
    expect(() => hub.begin('r')).toThrow(expect.objectContaining({ code: 'invalid_args' }));
  });

  it('ends a run that failed before the engine said so', () => {
    const hub = new RunEventHub();
    const seen: RunEvent[] = [];
    hub.subscribe('r', (e) => seen.push(e), () => undefined);
    hub.begin('r');
    hub.fail('r', { code: 'queue_full', message: 'full' }, 3);
    hub.fail('r', { code: 'internal', message: 'twice' }, 3);
    expect(seen).toMatchObject([{ type: 'failed', error: { code: 'queue_full' } }]);
  });

  it('stays bounded: finished runs are dropped first', () => {
    const hub = new RunEventHub({ maxRuns: 2 });
    const a = hub.begin('a');
    a(finished('a'));
    hub.begin('b');
    hub.begin('c');
    expect(hub.runCount).toBe(2);
    expect(() => hub.begin('d')).toThrow(expect.objectContaining({ code: 'queue_full' }));
  });

  it('closes waiting subscribers when nothing starts in time', async () => {
    const hub = new RunEventHub({ waitMs: 10 });
    const ended = await new Promise<boolean>((resolve) => hub.subscribe('never', () => undefined, () => resolve(true)));
    expect(ended).toBe(true);
    expect(hub.runCount).toBe(0);
  });
});
