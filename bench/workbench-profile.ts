/**
 * Where the workbench bench's time goes: the same page, server and scripted stream as
 * bench/workbench.bench.ts, under the Chrome DevTools protocol's sampling profiler (and its tracer).
 * Prints, per scenario, the functions with the most self and total time, and the page's long tasks;
 * writes each .cpuprofile (open it in Chrome DevTools) to a temporary folder.
 *
 *   npx tsx bench/workbench-profile.ts                 # stream,switch,timeline,editor
 *   SCEN=trace,frames FRAMES_SCREEN=settings npx tsx bench/workbench-profile.ts
 *   UNMINIFIED=1 ...                                   # a renderer built without minifying (readable names)
 *
 * Scenarios: stream (5 s on Launches while 10,000 launches/s stream), switch (the bench's 7 screen
 * switches), timeline (opening it, then 150 frames of W/A/S/D), editor (20,001 characters put in),
 * trace (time per trace event kind while streaming: Layout, Paint, GC…), frames (frame p50/p95 on
 * FRAMES_SCREEN while streaming: what the stream costs when nothing shows it).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { freshContext, launchChromium } from '../e2e/helpers/chromium.js';
import { WASM_HEADER } from '../workbench/fake-engine.test-util.js';
import { buildServer } from '../server/app.js';
import { buildRendererIfStale } from '../e2e/helpers/build-renderer.js';
import { StreamingEngine } from './workbench-stream-engine.js';

const out = mkdtempSync(join(tmpdir(), 'tw-wb-profile-'));
async function unminifiedUi(): Promise<string> {
  const { build } = await import('vite');
  const dir = join(out, 'ui');
  const root = join(import.meta.dirname, '..');
  await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'renderer'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, minify: false } });
  return dir;
}
const uiDir = process.env.UI_DIR ?? (process.env.UNMINIFIED ? await unminifiedUi() : await buildRendererIfStale());
const which = (process.env.SCEN ?? 'stream,switch,timeline,editor').split(',');

interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number }
interface TraceEvent { ph: string; name: string; dur?: number }
interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[]; hitCount?: number }
function summarize(profile: Profile, label: string) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  const key = (n: Node) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`;
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + ms);
    }
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`\n### ${label}: ${total.toFixed(0)} ms sampled`);
  console.log('-- self');
  for (const [k, v] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${v.toFixed(1).padStart(9)}  ${k}`);
  console.log('-- total');
  for (const [k, v] of [...totalBy].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${v.toFixed(1).padStart(9)}  ${k}`);
  // Busy stretches (samples between idle gaps > 2 ms), longest first: wall time, then how many
  // 200 µs samples fell in it (few samples in a long stretch: the process waited for a core).
  const idle = (id: number) => ['(idle)', '(program)', '(root)'].includes(byId.get(id)!.callFrame.functionName);
  const stretches: { start: number; end: number; ids: number[] }[] = [];
  let t = profile.startTime / 1000;
  let cur: { start: number; end: number; ids: number[] } | undefined;
  profile.samples.forEach((id, i) => {
    t += (profile.timeDeltas[i] ?? 0) / 1000;
    if (idle(id)) {
      if (cur && t - cur.end > 2) (stretches.push(cur), (cur = undefined));
      return;
    }
    cur ??= { start: t, end: t, ids: [] };
    cur.end = t;
    cur.ids.push(id);
  });
  if (cur) stretches.push(cur);
  console.log('-- longest busy stretches');
  for (const st of stretches.sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, 3)) {
    const count = new Map<string, number>();
    for (const id of st.ids) {
      const seen = new Set<string>();
      for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) {
        const k = key(byId.get(c)!).split(' ')[0]!;
        if (!seen.has(k)) (seen.add(k), count.set(k, (count.get(k) ?? 0) + 1));
      }
    }
    console.log(`${(st.end - st.start).toFixed(0).padStart(6)} ms, ${st.ids.length} samples: ${[...count].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
}

async function profiled<T>(cdp: CDPSession, label: string, f: () => Promise<T>): Promise<T> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const r = await f();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  writeFileSync(join(out, `${label}.cpuprofile`), JSON.stringify(profile));
  summarize(profile, label);
  return r;
}

async function longTasks(page: Page) {
  await page.evaluate(`(() => { window.__lt = []; const o = new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push(Math.round(e.duration)); }); o.observe({ type: 'longtask' }); })()`);
}
const takeLong = async (page: Page) => (await page.evaluate('(() => { const x = window.__lt; window.__lt = []; return x; })()')) as number[];

const dataDir = join(out, 'data');
mkdirSync(dataDir);
const engine = new StreamingEngine();
const app = await buildServer({ engine, dataDir, uiDir });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const browser = await launchChromium();
const context = await freshContext(browser);
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await page.goto(url);
await page.waitForSelector('[data-testid=screen-module]');
await page.setInputFiles('[data-testid=file-input]', { name: 'stream.wasm', mimeType: 'application/wasm', buffer: Buffer.from(WASM_HEADER) });
await page.waitForSelector('[data-testid=screen-invoke]');
await page.waitForTimeout(1000);
await longTasks(page);
async function traced(label: string, f: () => Promise<unknown>) {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as TraceEvent[])));
  const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await f();
  await cdp.send('Tracing.end');
  await done;
  const sum = new Map<string, { ms: number; n: number; max: number }>();
  for (const e of events) if (e.ph === 'X' && e.dur) { const r = sum.get(e.name) ?? { ms: 0, n: 0, max: 0 }; r.ms += e.dur / 1000; r.n++; r.max = Math.max(r.max, e.dur / 1000); sum.set(e.name, r); }
  console.log(`\n### trace ${label}`);
  for (const [k, v] of [...sum].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`${v.ms.toFixed(1).padStart(9)} ms  n=${String(v.n).padStart(5)} max=${v.max.toFixed(1).padStart(6)}  ${k}`);
}
if (which.includes('frames')) {
  const screen = process.env.FRAMES_SCREEN ?? 'launches';
  for (let rep = 0; rep < Number(process.env.FRAMES_REPEAT ?? 1); rep++) {
  await page.click('[data-testid=invoke]');
  await page.click(`[data-testid=nav-${screen}]`);
  const r = await page.evaluate(`new Promise((resolve) => { const frames = []; let longest = 0; const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) longest = Math.max(longest, e.duration); }); obs.observe({ type: 'longtask' }); let last = performance.now(); const end = last + ${Number(process.env.FRAMES_MS ?? 5000)}; const tick = (now) => { frames.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else { obs.disconnect(); const s = frames.slice(1).sort((a, b) => a - b); resolve({ p50: s[Math.floor(s.length/2)], p95: s[Math.ceil(s.length * 0.95) - 1], n: s.length, over20: s.filter((f) => f > 20).length, longest }); } }; requestAnimationFrame(tick); })`);
  console.log('frames on', screen, JSON.stringify(r));
  await page.click('[data-testid=nav-invoke]');
  await page.waitForSelector('[data-testid=result-value]', { timeout: 120_000 });
  }
}
if (which.includes('cpu')) {
  // Main-thread CPU time (thread time, not wall time: it holds up better on a loaded machine)
  // while streaming on FRAMES_SCREEN, per kind of trace event, per second of stream.
  const screen = process.env.FRAMES_SCREEN ?? 'launches';
  const ms = Number(process.env.FRAMES_MS ?? 5000);
  for (let rep = 0; rep < Number(process.env.FRAMES_REPEAT ?? 1); rep++) {
    await page.click('[data-testid=invoke]');
    await page.click(`[data-testid=nav-${screen}]`);
    const events: (TraceEvent & { tdur?: number; tid: number; pid: number })[] = [];
    const collect = (d: { value: unknown }) => events.push(...(d.value as typeof events));
    cdp.on('Tracing.dataCollected', collect);
    const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,blink.user_timing,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
    await page.evaluate(`new Promise((r) => { performance.mark('cpu-probe'); setTimeout(r, ${ms}); })`);
    await cdp.send('Tracing.end');
    await done;
    cdp.off('Tracing.dataCollected', collect);
    const probe = events.find((e) => e.name === 'cpu-probe')!;
    const main = events.filter((e) => e.pid === probe.pid && e.tid === probe.tid && e.ph === 'X' && e.tdur !== undefined);
    const by = new Map<string, number>();
    for (const e of main) by.set(e.name, (by.get(e.name) ?? 0) + e.tdur! / 1000);
    const perS = (name: string) => ((by.get(name) ?? 0) / (ms / 1000)).toFixed(0);
    console.log(`cpu on ${screen}, main thread ms per s: tasks ${perS('RunTask')} | FunctionCall ${perS('FunctionCall')} FireAnimationFrame ${perS('FireAnimationFrame')} TimerFire ${perS('TimerFire')} | UpdateLayoutTree ${perS('UpdateLayoutTree')} Layout ${perS('Layout')} PrePaint ${perS('PrePaint')} Paint ${perS('Paint')} Commit ${perS('Commit')} | MinorGC ${perS('MinorGC')} MajorGC ${perS('MajorGC')}`);
    await page.click('[data-testid=nav-invoke]');
    await page.waitForSelector('[data-testid=result-value]', { timeout: 120_000 });
  }
}
if (which.includes('misses')) {
  // Frames that missed the 60 Hz deadline while streaming on FRAMES_SCREEN, and what the main
  // thread did in each: a rAF loop marks every frame (user timing goes into the trace), then the
  // main thread's events between two marks more than 20 ms apart are listed by kind.
  const screen = process.env.FRAMES_SCREEN ?? 'launches';
  await page.click('[data-testid=invoke]');
  await page.click(`[data-testid=nav-${screen}]`);
  const events: (TraceEvent & { ts: number; tid: number; pid: number; args?: { data?: { url?: string; functionName?: string; lineNumber?: number; stackTrace?: { functionName: string; url: string; lineNumber: number }[] }; name?: string } })[] = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as typeof events)));
  const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,blink.user_timing,v8,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await page.evaluate(`new Promise((resolve) => { const end = performance.now() + ${Number(process.env.FRAMES_MS ?? 5000)}; const tick = (now) => { performance.mark('frame'); if (now < end) requestAnimationFrame(tick); else resolve(); }; requestAnimationFrame(tick); })`);
  await cdp.send('Tracing.end');
  await done;
  const marks = events.filter((e) => e.name === 'frame' && (e.ph === 'R' || e.ph === 'I' || e.ph === 'n' || e.ph === 'b' || e.ph === 'X')).map((e) => e.ts).sort((a, b) => a - b);
  const main = events.find((e) => e.name === 'frame')!;
  const mainEvents = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur);
  let misses = 0;
  const kinds = new Map<string, number>();
  for (let i = 1; i < marks.length; i++) {
    const gap = (marks[i]! - marks[i - 1]!) / 1000;
    if (gap <= 20) continue;
    misses++;
    const inGap = mainEvents.filter((e) => e.ts + e.dur! > marks[i - 1]! && e.ts < marks[i]! && e.dur! > 1000 && e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask');
    const desc = inGap.map((e) => {
      const d = e.args?.data;
      const where = d?.url ? ` ${d.functionName ?? ''}@${d.url.split('/').pop()}:${d.lineNumber ?? ''}` : '';
      return `${e.name}${where} ${(e.dur! / 1000).toFixed(1)}`;
    });
    for (const e of inGap) kinds.set(e.name, (kinds.get(e.name) ?? 0) + e.dur! / 1000);
    console.log(`miss ${gap.toFixed(1)} ms: ${desc.slice(0, 14).join(' | ')}`);
  }
  console.log(`${misses} of ${marks.length - 1} frames over 20 ms on ${screen}; in them (ms):`, [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', '));
  await page.click('[data-testid=nav-invoke]');
  await page.waitForSelector('[data-testid=result-value]', { timeout: 120_000 });
}
if (which.includes('trace')) {
  await page.click('[data-testid=invoke]');
  await page.click('[data-testid=nav-launches]');
  await traced('stream', () => page.waitForTimeout(4000));
  await page.click('[data-testid=nav-invoke]');
  await page.waitForSelector('[data-testid=result-value]', { timeout: 120_000 });
}
if (which.includes('stream')) {
  await page.click('[data-testid=invoke]');
  await page.click('[data-testid=nav-launches]');
  await profiled(cdp, 'stream', () => page.waitForTimeout(5000));
  console.log('long tasks', await takeLong(page));
  if (which.includes('switch')) {
    await profiled(cdp, 'switch', async () => {
      for (const id of ['invoke', 'launches', 'timeline', 'runs', 'launches', 'timeline', 'launches']) {
        const ms = await page.evaluate(`new Promise((resolve) => { const t = performance.now(); document.querySelector('[data-testid=nav-${id}]').click(); requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t))); })`);
        console.log('switch', id, Math.round(ms as number));
      }
    });
    console.log('long tasks', await takeLong(page));
  }
  await page.click('[data-testid=nav-invoke]');
  await page.waitForSelector('[data-testid=result-value]', { timeout: 120_000 });
  await takeLong(page);
}
if (which.includes('timeline')) {
  await profiled(cdp, 'timeline-open', async () => {
    await page.click('[data-testid=nav-timeline]');
    await page.waitForSelector('[data-testid=timeline-canvas]');
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  });
  console.log('long tasks', await takeLong(page));
  await page.focus('[data-testid=timeline-canvas]');
  await profiled(cdp, 'timeline-panzoom', () => page.evaluate(`new Promise((resolve) => { let n = 0; const frames = []; let last = performance.now(); const tick = (now) => { frames.push(now - last); last = now; const k = ['w','w','a','d','s','w','a','s','d','s'][n++ % 10]; document.querySelector('[data-testid=timeline-canvas]').dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); if (n < 150) requestAnimationFrame(tick); else { frames.sort((a,b)=>a-b); resolve(frames[Math.floor(frames.length*0.95)]); } }; requestAnimationFrame(tick); })`).then((p) => console.log('p95', p)));
  console.log('long tasks', await takeLong(page));
}
if (which.includes('editor')) {
  await page.click('[data-testid=nav-invoke]');
  await page.selectOption('[data-testid=export-select]', 'add');
  await page.click('[data-testid=args-editor] .monaco-editor .view-lines');
  await page.keyboard.press('Control+A');
  const n = Number(process.env.EDIT_REPEAT ?? 6666);
  const text = `[${'1, '.repeat(n)}1]`;
  await profiled(cdp, 'editor', async () => {
    const t = Date.now();
    await page.keyboard.insertText(text);
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    console.log('insert ms', Date.now() - t);
  });
  console.log('long tasks', await takeLong(page));
}
await browser.close();
await app.close();
console.log(`\nprofiles: ${out}`);
process.exit(0);
