import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineApi, ModuleRef } from '../../contract/engine.js';
import { TensorWasmError } from '../../contract/errors.js';
import type { ModuleDescription } from '../../contract/module.js';
import { getLogger } from '../../runtime/telemetry/logger.js';
import { assertFunctionId, isFunctionId } from './ids.js';

/** What the registry keeps per deployed function (the `<id>.json` file beside `<id>.wasm`). */
export interface FunctionRecord {
  id: string;
  name: string;
  /** sha256 of the module bytes, lowercase hex (equal to the id). */
  hash: string;
  sizeBytes: number;
  deployedAt: string;
  description: ModuleDescription;
}

const NAME = /^[^\u0000-\u001f\u007f]{1,128}$/;
const log = getLogger({ component: 'server.registry' });

/** What start-up found half-written and cleaned up (also logged). */
export interface RegistryRecovery {
  /** Files removed: temporaries, records without a module, modules without a record. */
  removed: string[];
}

/**
 * Deployed modules on disk, content-addressed by sha256: `<dataDir>/functions/<id>.wasm` and its
 * record `<id>.json`. Paths are only ever built from validated ids.
 *
 * Every change to one id (deploy, rename, delete) runs under that id's lock, so a rename cannot
 * race a delete (issue 15, defect 4: the rename's record landed after the delete and the function
 * stayed listed with no module). The record is the commit point: a deploy writes the module, then
 * the record; a delete removes the record, then the module; each file is written under a temporary
 * name, synced and renamed into place. So after a crash at any point, an id is either whole (record
 * and module) or has a module without a record — which start-up removes, with the temporaries and
 * any record whose module is missing (`recovery` says what it removed).
 */
export class FunctionRegistry {
  private readonly records = new Map<string, FunctionRecord>();
  private readonly refs = new Map<string, Promise<ModuleRef>>();
  /** The refs that have resolved: an invocation takes its ref from here without awaiting (hot path). */
  private readonly loaded = new Map<string, ModuleRef>();
  /** The tail of each id's chain of changes (server/registry's per-id lock). */
  private readonly locks = new Map<string, Promise<unknown>>();
  recovery: RegistryRecovery = { removed: [] };

  private constructor(
    private readonly dir: string,
    private readonly engine: EngineApi,
  ) {}

  static async open(dataDir: string, engine: EngineApi): Promise<FunctionRegistry> {
    const registry = new FunctionRegistry(join(dataDir, 'functions'), engine);
    await mkdir(registry.dir, { recursive: true });
    await registry.scan();
    return registry;
  }

  get size(): number {
    return this.records.size;
  }

  list(): FunctionRecord[] {
    return [...this.records.values()].sort((a, b) => a.deployedAt.localeCompare(b.deployedAt) || a.id.localeCompare(b.id));
  }

  /** The record for an id; `not_found` for a malformed or unknown id (the file system is not touched). */
  get(id: string): FunctionRecord {
    const record = this.records.get(assertFunctionId(id));
    if (!record) throw new TensorWasmError('not_found', `no function with id '${id}'`);
    return record;
  }

  /**
   * Validates and stores a module. The same bytes always give the same id; deploying them again
   * with a name renames the function.
   */
  async deploy(bytes: Uint8Array, name?: string): Promise<{ record: FunctionRecord; created: boolean }> {
    if (name !== undefined && !NAME.test(name)) {
      throw new TensorWasmError('invalid_args', 'name must be 1-128 characters without control characters');
    }
    const hash = sha256(bytes);
    return this.withLock(hash, async () => {
      // Looked up under the lock: a delete that ran while this deploy waited is seen here.
      const existing = this.records.get(hash);
      if (!existing) return { record: await this.store(hash, bytes, name), created: true };
      if (name === undefined || name === existing.name) return { record: existing, created: false };
      const renamed = { ...existing, name };
      await this.writeAtomic(`${hash}.json`, JSON.stringify(renamed, null, 2));
      this.records.set(hash, renamed);
      return { record: renamed, created: false };
    });
  }

  /** Runs `change` after every earlier change to `id` has finished (a lock per id, in arrival order). */
  private async withLock<T>(id: string, change: () => Promise<T>): Promise<T> {
    const before = this.locks.get(id) ?? Promise.resolve();
    const run = before.then(change, change);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return run;
  }

  private async store(hash: string, bytes: Uint8Array, name: string | undefined): Promise<FunctionRecord> {
    const { ref, description } = await this.engine.load(bytes, name);
    if (description.hash !== hash) {
      throw new TensorWasmError('internal', `engine hashed the module as ${description.hash}, expected ${hash}`);
    }
    const record: FunctionRecord = {
      id: hash,
      name: name ?? `module-${hash.slice(0, 12)}`,
      hash,
      sizeBytes: bytes.byteLength,
      deployedAt: new Date().toISOString(),
      description,
    };
    // The module first, the record last: the record is what makes the function exist.
    await this.writeAtomic(`${hash}.wasm`, bytes);
    await this.writeAtomic(`${hash}.json`, JSON.stringify(record, null, 2));
    this.records.set(hash, record);
    this.refs.set(hash, Promise.resolve(ref));
    this.loaded.set(hash, ref);
    return record;
  }

  /** The engine's handle for a function, loading the stored bytes on first use after a restart. */
  async ref(id: string): Promise<ModuleRef> {
    const record = this.get(id);
    let ref = this.refs.get(id);
    if (!ref) {
      const loading = this.loadStored(record);
      this.refs.set(id, (ref = loading));
      loading.then(
        (value) => {
          if (this.refs.get(id) === loading) this.loaded.set(id, value);
        },
        () => this.refs.delete(id),
      );
    }
    return ref;
  }

  /** The engine's handle for a function whose module is loaded already; undefined otherwise (use `ref`). */
  loadedRef(id: string): ModuleRef | undefined {
    return this.loaded.get(id);
  }

  /** The stored module bytes; `not_found` if the function was deleted meanwhile. */
  async bytes(id: string): Promise<Uint8Array> {
    const record = this.get(id);
    try {
      return new Uint8Array(await readFile(join(this.dir, `${record.id}.wasm`)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !this.records.has(record.id)) {
        throw new TensorWasmError('not_found', `no function with id '${record.id}'`);
      }
      throw error;
    }
  }

  async delete(id: string): Promise<FunctionRecord> {
    assertFunctionId(id);
    return this.withLock(id, async () => {
      const record = this.get(id);
      // The record first (the commit point), then the module.
      await removeIfPresent(join(this.dir, `${id}.json`));
      this.records.delete(id);
      this.refs.delete(id);
      this.loaded.delete(id);
      await removeIfPresent(join(this.dir, `${id}.wasm`));
      return record;
    });
  }

  private async loadStored(record: FunctionRecord): Promise<ModuleRef> {
    const bytes = await this.bytes(record.id);
    if (sha256(bytes) !== record.id) {
      throw new TensorWasmError('internal', `stored module ${record.id} does not match its hash; redeploy it`);
    }
    const { ref } = await this.engine.load(bytes, record.name);
    return ref;
  }

  /** Loads every whole entry and removes what a crash left half-written (see the class comment). */
  private async scan(): Promise<void> {
    const entries = new Set(await readdir(this.dir));
    const removed: string[] = [];
    const remove = async (entry: string, why: string) => {
      log.warn({ file: entry }, `removing ${why}`);
      await removeIfPresent(join(this.dir, entry));
      removed.push(entry);
    };
    for (const entry of entries) {
      if (entry.startsWith('.tmp-')) await remove(entry, 'a temporary file from an interrupted write');
    }
    for (const entry of entries) {
      const id = entry.endsWith('.json') ? entry.slice(0, -'.json'.length) : '';
      if (!isFunctionId(id)) continue;
      if (!entries.has(`${id}.wasm`)) {
        await remove(entry, 'a function record whose module is missing');
        continue;
      }
      try {
        const record = JSON.parse(await readFile(join(this.dir, entry), 'utf8')) as FunctionRecord;
        if (record.id !== id || record.hash !== id || typeof record.name !== 'string' || !record.description) {
          throw new Error('record does not match its file name');
        }
        await stat(join(this.dir, `${id}.wasm`));
        this.records.set(id, record);
      } catch (error) {
        log.warn({ id, err: error }, 'skipping unreadable function record');
      }
    }
    for (const entry of entries) {
      const id = entry.endsWith('.wasm') ? entry.slice(0, -'.wasm'.length) : '';
      // A module without a record: a deploy that never committed, or a delete that did.
      if (isFunctionId(id) && !entries.has(`${id}.json`)) await remove(entry, 'a module without a function record');
    }
    this.recovery = { removed };
  }

  /** Writes to a temporary name, syncs, then renames into place: readers see the old file or the whole new one. */
  private async writeAtomic(fileName: string, data: Uint8Array | string): Promise<void> {
    const target = join(this.dir, fileName);
    const temp = join(this.dir, `.tmp-${randomUUID()}`);
    const file = await open(temp, 'w');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await removeIfPresent(temp);
      throw error;
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
