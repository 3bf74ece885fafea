/**
 * Workbench event delivery: N launch events (plus block progress) from the service to the
 * renderer store, the way the transports carry them — serialised, parsed, ingested — batched
 * (workbench/event-batcher.ts + the store's in-place ingest, what ships) against the
 * baseline of one message and one immutable store update per event. Reports events/s, messages
 * and store updates for each, and the ratio (busy time: the batcher's 50 ms waits are idle). Each store update is a React
 * render in the app, so updates/s is what decides smoothness. Goal: ≥ 100× fewer store
 * updates (renders) than the baseline, with no more busy time.
 *
 *   npm run bench -- workbench-events     (or: npx tsx bench/workbench-events.bench.ts)
 *   WB_BENCH_LAUNCHES=50000 to change N.
 */
import type { LaunchEvent, RunEvent } from '../contract/events.js';
import type { WorkbenchEvent } from '../contract/workbench.js';
import { createWorkbenchStore } from '../renderer/store/store.js';
import { createEventBatcher } from '../workbench/event-batcher.js';

const N = Number(process.env.WB_BENCH_LAUNCHES ?? 10_000);
const PROGRESS_PER_LAUNCH = 4;

function events(runId: string): WorkbenchEvent[] {
  const out: WorkbenchEvent[] = [];
  for (let seq = 1; seq <= N; seq++) {
    for (let p = 1; p <= PROGRESS_PER_LAUNCH; p++) out.push({ kind: 'run', event: { type: 'block-progress', runId, t: 0, launchSeq: seq, completedBlocks: p * 4, totalBlocks: 16 } });
    const launch: LaunchEvent = { type: 'launch', runId, t: 0, seq, kernel: seq % 3 ? 'vector_add' : 'scale', ptxHash: 'abcdef0123', grid: [16, 1, 1], block: [256, 1, 1], sharedMemBytes: 0, args: 'ptr(0x1000,4096) u32(1024)', device: 'cpu', startMs: seq, endMs: seq + 0.01, kernelMs: 0.01 };
    out.push({ kind: 'run', event: launch });
  }
  return out;
}

const api = new Proxy({}, { get: () => async () => undefined }) as never;

async function batched(): Promise<{ ms: number; messages: number; updates: number; launches: number }> {
  const store = createWorkbenchStore({ api });
  store.getState().beginLaunches('r');
  let updates = 0;
  store.subscribe(() => updates++);
  let messages = 0;
  const all = events('r');
  // Busy time only (pushing, serialising, parsing, ingesting); the 50 ms waits between flushes
  // are idle time in which the UI thread is free.
  let busy = 0;
  await new Promise<void>((resolve) => {
    const batcher = createEventBatcher((batch) => {
      const t = performance.now();
      messages++;
      store.getState().ingest(JSON.parse(JSON.stringify(batch)) as WorkbenchEvent[]);
      busy += performance.now() - t;
    });
    // Events arrive in bursts as the engine emits them; yield between bursts so timers can fire.
    let i = 0;
    const pump = () => {
      const t = performance.now();
      const end = Math.min(all.length, i + 2000);
      for (; i < end; i++) batcher.push(all[i]!);
      busy += performance.now() - t;
      if (i < all.length) setTimeout(pump, 5);
      else {
        batcher.close();
        resolve();
      }
    };
    pump();
  });
  return { ms: busy, messages, updates, launches: store.getState().launches.items.length };
}

function unbatched(): { ms: number; messages: number; updates: number; launches: number } {
  // The naive design: one message per event, and a new launches array per launch.
  let launches: LaunchEvent[] = [];
  const progress = new Map<number, number>();
  let messages = 0;
  let updates = 0;
  const all = events('r');
  const t0 = performance.now();
  for (const e of all) {
    messages++;
    const got = JSON.parse(JSON.stringify(e)) as { event: RunEvent };
    if (got.event.type === 'launch') launches = [...launches, got.event];
    else if (got.event.type === 'block-progress') progress.set(got.event.launchSeq, got.event.completedBlocks);
    updates++;
  }
  return { ms: performance.now() - t0, messages, updates, launches: launches.length };
}

const b = await batched();
const u = unbatched();
const rate = (r: { ms: number }) => ((N * (PROGRESS_PER_LAUNCH + 1)) / r.ms) * 1000;
console.log(`workbench events: ${N} launches + ${N * PROGRESS_PER_LAUNCH} block-progress events`);
console.log(`  batched   : ${b.ms.toFixed(0)} ms busy, ${Math.round(rate(b)).toLocaleString()} events/s, ${b.messages} messages, ${b.updates} store updates, ${b.launches} launches shown`);
console.log(`  unbatched : ${u.ms.toFixed(0)} ms busy, ${Math.round(rate(u)).toLocaleString()} events/s, ${u.messages} messages, ${u.updates} store updates, ${u.launches} launches shown`);
console.log(`  ratio     : ${(rate(b) / rate(u)).toFixed(1)}× events/s, ${(u.messages / b.messages).toFixed(0)}× fewer messages, ${(u.updates / Math.max(1, b.updates)).toFixed(0)}× fewer store updates (goal: ≥ 100× fewer updates, ratio of events/s ≥ 1)`);
