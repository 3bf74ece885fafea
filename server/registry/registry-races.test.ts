import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../app.js';
import { InlineEngine } from '../test-support/inline-engine.js';
import { FunctionRegistry } from './function-registry.js';

/**
 * Issue 15, defect 4: deploy-rename racing a delete lost a function (listed with `<id>.json`, no
 * `<id>.wasm`, invoke 500, gone after a restart with the stray file left behind). Here loops
 * deploy, rename, delete and invoke the same functions at once through the HTTP API; then every
 * function must be in the state the server's last answers for it say, listed, invocable and on
 * disk — and after a restart still, with nothing else on disk.
 */
const add = async () => new Uint8Array(await readFile(join(import.meta.dirname, '..', '..', 'fixtures', 'wasm', 'add.wasm')));

/** `add.wasm` with a custom section naming `tag`: the same exports, another sha256. */
function variant(base: Uint8Array, tag: string): Uint8Array {
  const name = Buffer.from(`race-${tag}`);
  return new Uint8Array([...base, 0x00, name.length + 1, name.length, ...name]);
}

interface Op {
  kind: 'deploy' | 'delete';
  name?: string;
  start: number;
  end: number;
  status: number;
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tw-races-'));
});
afterEach(async () => rm(dataDir, { recursive: true, force: true }));

const open = () => buildServer({ engine: new InlineEngine({ poolSize: 4, maxQueue: 1000 }), dataDir });

async function listed(app: FastifyInstance): Promise<Map<string, string>> {
  const body = (await app.inject('/functions')).json() as { functions: { id: string; name: string }[] };
  return new Map(body.functions.map((f) => [f.id, f.name]));
}

async function expectWholeAndInvocable(app: FastifyInstance, expected: Map<string, string>): Promise<void> {
  expect(await listed(app)).toEqual(expected);
  for (const id of expected.keys()) {
    const res = await app.inject({ method: 'POST', url: `/functions/${id}/invoke`, headers: { 'content-type': 'application/json' }, payload: '{"export":"add","args":[2,40]}' });
    expect(res.statusCode, id).toBe(200);
    expect(res.json().results).toEqual([42]);
  }
  const files = (await readdir(join(dataDir, 'functions'))).sort();
  expect(files).toEqual([...expected.keys()].flatMap((id) => [`${id}.json`, `${id}.wasm`]).sort());
}

describe('function registry under concurrent deploy, rename, delete and invoke', () => {
  it('keeps exactly what it said it kept, across a restart', async () => {
    const base = await add();
    const modules = ['a', 'b', 'c'].map((tag) => variant(base, tag));
    let app = await open();
    const ids: string[] = [];
    for (const bytes of modules) {
      const res = await app.inject({ method: 'POST', url: '/functions?name=first', headers: { 'content-type': 'application/wasm' }, payload: Buffer.from(bytes) });
      ids.push(res.json().id);
    }
    const ops = new Map<string, Op[]>(ids.map((id) => [id, []]));
    const unexpected: string[] = [];
    let clock = 0;
    const ITERATIONS = 25;

    const deployLoop = async (i: number, loop: number) => {
      for (let n = 0; n < ITERATIONS; n++) {
        const name = `n${loop}-${n}`;
        const start = clock++;
        const res = await app.inject({ method: 'POST', url: `/functions?name=${name}`, headers: { 'content-type': 'application/wasm' }, payload: Buffer.from(modules[i]!) });
        ops.get(ids[i]!)!.push({ kind: 'deploy', name, start, end: clock++, status: res.statusCode });
        if (res.statusCode !== 201) unexpected.push(`deploy ${res.statusCode} ${res.body}`);
      }
    };
    const deleteLoop = async (i: number) => {
      for (let n = 0; n < ITERATIONS; n++) {
        const start = clock++;
        const res = await app.inject({ method: 'DELETE', url: `/functions/${ids[i]}` });
        ops.get(ids[i]!)!.push({ kind: 'delete', start, end: clock++, status: res.statusCode });
        if (res.statusCode !== 204 && res.statusCode !== 404) unexpected.push(`delete ${res.statusCode} ${res.body}`);
      }
    };
    const invokeLoop = async (i: number) => {
      for (let n = 0; n < ITERATIONS; n++) {
        const res = await app.inject({ method: 'POST', url: `/functions/${ids[i]}/invoke`, headers: { 'content-type': 'application/json' }, payload: '{"export":"add","args":[1,2]}' });
        if (res.statusCode === 200) expect(res.json().results).toEqual([3]);
        else if (res.statusCode !== 404 || res.json().error.code !== 'not_found') unexpected.push(`invoke ${res.statusCode} ${res.body}`);
        const detail = await app.inject(`/functions/${ids[i]}`);
        if (detail.statusCode !== 200 && detail.statusCode !== 404) unexpected.push(`describe ${detail.statusCode} ${detail.body}`);
      }
    };
    await Promise.all(ids.flatMap((_, i) => [deployLoop(i, 0), deployLoop(i, 1), deleteLoop(i), deleteLoop(i), invokeLoop(i)]));
    expect(unexpected).toEqual([]);

    // What the server said: an id's final state is that of one of its last operations (one no
    // other operation on it started after); a deploy (201) keeps it under its name, a delete
    // (204, or 404: already gone) removes it.
    const state = await listed(app);
    for (const id of ids) {
      const list = ops.get(id)!;
      const last = list.filter((op) => !list.some((other) => other.start > op.end));
      const consistent = last.some((op) => (op.kind === 'deploy' ? state.get(id) === op.name : !state.has(id)));
      expect(consistent, `${id.slice(0, 8)}: listed as ${state.get(id)}; last operations ${JSON.stringify(last)}`).toBe(true);
    }
    await expectWholeAndInvocable(app, state);
    await app.close();

    app = await open();
    try {
      await expectWholeAndInvocable(app, state);
    } finally {
      await app.close();
    }
  });
});

/** Lets `n` turns of the event loop pass, so operations start at every relative position. */
async function yields(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('function registry: every interleaving of a few changes to one id', () => {
  it('ends in the state of one of its last operations, whole on disk, the same after a restart', async () => {
    const bytes = variant(await add(), 'p');
    const op = fc.record({ kind: fc.constantFrom('deploy', 'delete', 'invoke'), delay: fc.nat(4), name: fc.constantFrom('x', 'y', 'z') });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(op, { minLength: 2, maxLength: 6 }), async (deployedFirst, script) => {
        const dir = join(dataDir, `round-${round++}`);
        const registry = await FunctionRegistry.open(dir, new InlineEngine());
        const id = deployedFirst ? (await registry.deploy(bytes, 'first')).record.id : (await registry.deploy(bytes, 'first').then(async (r) => (await registry.delete(r.record.id)).id));
        const done: Op[] = [];
        let clock = 0;
        const failures: string[] = [];
        await Promise.all(
          script.map(async ({ kind, delay, name }) => {
            await yields(delay);
            const start = clock++;
            try {
              if (kind === 'deploy') {
                await registry.deploy(bytes, name);
                done.push({ kind, name, start, end: clock++, status: 201 });
              } else if (kind === 'delete') {
                await registry.delete(id);
                done.push({ kind, start, end: clock++, status: 204 });
              } else {
                await registry.ref(id);
              }
            } catch (error) {
              const code = (error as { code?: string }).code;
              if (code !== 'not_found') failures.push(`${kind}: ${code} ${(error as Error).message}`);
              else if (kind === 'delete') done.push({ kind, start, end: clock++, status: 404 });
            }
          }),
        );
        expect(failures).toEqual([]);
        const changes = done.length > 0 ? done : [{ kind: deployedFirst ? 'deploy' : 'delete', name: 'first', start: -1, end: -1, status: 0 } as Op];
        const last = changes.filter((o) => !changes.some((other) => other.start > o.end));
        const present = registry.list().find((r) => r.id === id);
        expect(last.some((o) => (o.kind === 'deploy' ? present?.name === o.name : present === undefined)), JSON.stringify({ last, present: present?.name })).toBe(true);
        const files = (await readdir(join(dir, 'functions'))).sort();
        expect(files).toEqual(present ? [`${id}.json`, `${id}.wasm`] : []);
        if (present) await expect(registry.ref(id)).resolves.toMatchObject({ hash: id });
        const reopened = await FunctionRegistry.open(dir, new InlineEngine());
        expect(reopened.list()).toEqual(registry.list());
        expect(reopened.recovery.removed).toEqual([]);
      }),
      { numRuns: Math.max(10, Number(process.env.FUZZ_RUNS ?? 1000) / 25) },
    );
  });
});

describe('start-up recovery', () => {
  it('removes what an interrupted deploy or delete left, and keeps every whole function', async () => {
    const registry = await FunctionRegistry.open(dataDir, new InlineEngine());
    const base = await add();
    const kept = (await registry.deploy(variant(base, 'kept'), 'kept')).record.id;
    const noModule = (await registry.deploy(variant(base, 'no-module'))).record.id;
    const noRecord = (await registry.deploy(variant(base, 'no-record'))).record.id;
    const dir = join(dataDir, 'functions');
    // a delete interrupted after the record went (module left) and a module lost (record left)
    await rm(join(dir, `${noRecord}.json`));
    await rm(join(dir, `${noModule}.wasm`));
    await writeFile(join(dir, '.tmp-0000'), 'half a module');
    const reopened = await FunctionRegistry.open(dataDir, new InlineEngine());
    expect(reopened.list().map((r) => r.id)).toEqual([kept]);
    expect(reopened.recovery.removed.sort()).toEqual(['.tmp-0000', `${noModule}.json`, `${noRecord}.wasm`].sort());
    expect((await readdir(dir)).sort()).toEqual([`${kept}.json`, `${kept}.wasm`]);
    await expect(reopened.ref(kept)).resolves.toMatchObject({ hash: kept });
  });
});
