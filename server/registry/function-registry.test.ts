import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InlineEngine } from '../test-support/inline-engine.js';
import { FunctionRegistry } from './function-registry.js';

const add = async () => new Uint8Array(await readFile(join(import.meta.dirname, '..', '..', 'fixtures', 'wasm', 'add.wasm')));

describe('FunctionRegistry', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tw-registry-'));
  });
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  it('stores content-addressed and dedupes concurrent deploys of the same bytes', async () => {
    const registry = await FunctionRegistry.open(dataDir, new InlineEngine());
    const bytes = await add();
    const results = await Promise.all([registry.deploy(bytes, 'a'), registry.deploy(bytes, 'a'), registry.deploy(bytes, 'a')]);
    expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(registry.size).toBe(1);
    const id = results[0]!.record.id;
    expect(new Uint8Array(await readFile(join(dataDir, 'functions', `${id}.wasm`)))).toEqual(bytes);
  });

  it('reopens from disk, skipping unreadable records', async () => {
    const first = await FunctionRegistry.open(dataDir, new InlineEngine());
    const { record } = await first.deploy(await add(), 'adder');
    await writeFile(join(dataDir, 'functions', `${'b'.repeat(64)}.json`), '{not json');
    await writeFile(join(dataDir, 'functions', 'notes.json'), '{}');
    const second = await FunctionRegistry.open(dataDir, new InlineEngine());
    expect(second.list().map((r) => [r.id, r.name])).toEqual([[record.id, 'adder']]);
    await expect(second.ref(record.id)).resolves.toMatchObject({ hash: record.id });
  });

  it('refuses a stored module whose bytes no longer match its id', async () => {
    const first = await FunctionRegistry.open(dataDir, new InlineEngine());
    const { record } = await first.deploy(await add());
    const stored = join(dataDir, 'functions', `${record.id}.wasm`);
    const bytes = await readFile(stored);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    await writeFile(stored, bytes);
    const second = await FunctionRegistry.open(dataDir, new InlineEngine());
    await expect(second.ref(record.id)).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/does not match its hash/) });
  });

  it('renames on a redeploy with a new name, and deletes', async () => {
    const registry = await FunctionRegistry.open(dataDir, new InlineEngine());
    const { record } = await registry.deploy(await add(), 'one');
    const again = await registry.deploy(await add(), 'two');
    expect(again).toMatchObject({ created: false, record: { id: record.id, name: 'two' } });
    await registry.delete(record.id);
    expect(registry.size).toBe(0);
    expect(() => registry.get(record.id)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect((await FunctionRegistry.open(dataDir, new InlineEngine())).size).toBe(0);
  });

  it('hands out the ref of a loaded module without waiting, and forgets it on delete', async () => {
    const first = await FunctionRegistry.open(dataDir, new InlineEngine());
    const { record } = await first.deploy(await add(), 'adder');
    expect(first.loadedRef(record.id)).toMatchObject({ hash: record.id });
    // after a restart the stored bytes load on the first ref()
    const second = await FunctionRegistry.open(dataDir, new InlineEngine());
    expect(second.loadedRef(record.id)).toBeUndefined();
    const ref = await second.ref(record.id);
    expect(second.loadedRef(record.id)).toEqual(ref);
    await second.delete(record.id);
    expect(second.loadedRef(record.id)).toBeUndefined();
    expect(first.loadedRef('../x')).toBeUndefined();
  });
});
