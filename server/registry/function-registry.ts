import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
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

/**
 * Deployed modules on disk, content-addressed by sha256: `<dataDir>/functions/<id>.wasm` and its
 * record `<id>.json`. Files are written to a temporary name and renamed, so a crash never leaves a
 * half-written module under a real id. Paths are only ever built from validated ids.
 */
export class FunctionRegistry {
  private readonly records = new Map<string, FunctionRecord>();
  private readonly refs = new Map<string, Promise<ModuleRef>>();
  /** The refs that have resolved: an invocation takes its ref from here without awaiting (hot path). */
  private readonly loaded = new Map<string, ModuleRef>();
  private readonly deploying = new Map<string, Promise<FunctionRecord>>();

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
    const existing = this.records.get(hash);
    if (existing) {
      if (name === undefined || name === existing.name) return { record: existing, created: false };
      const renamed = { ...existing, name };
      await this.writeAtomic(`${hash}.json`, JSON.stringify(renamed, null, 2));
      this.records.set(hash, renamed);
      return { record: renamed, created: false };
    }
    // Concurrent deploys of the same new bytes share one load and one write.
    const pending = this.deploying.get(hash);
    if (pending) return { record: await pending, created: false };
    const deploying = this.store(hash, bytes, name);
    this.deploying.set(hash, deploying);
    try {
      return { record: await deploying, created: true };
    } finally {
      this.deploying.delete(hash);
    }
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

  /** The stored module bytes. */
  async bytes(id: string): Promise<Uint8Array> {
    const record = this.get(id);
    return new Uint8Array(await readFile(join(this.dir, `${record.id}.wasm`)));
  }

  async delete(id: string): Promise<FunctionRecord> {
    const record = this.get(id);
    this.records.delete(id);
    this.refs.delete(id);
    this.loaded.delete(id);
    await Promise.all([removeIfPresent(join(this.dir, `${id}.json`)), removeIfPresent(join(this.dir, `${id}.wasm`))]);
    return record;
  }

  private async loadStored(record: FunctionRecord): Promise<ModuleRef> {
    const bytes = await this.bytes(record.id);
    if (sha256(bytes) !== record.id) {
      throw new TensorWasmError('internal', `stored module ${record.id} does not match its hash; redeploy it`);
    }
    const { ref } = await this.engine.load(bytes, record.name);
    return ref;
  }

  private async scan(): Promise<void> {
    for (const entry of await readdir(this.dir)) {
      const id = entry.endsWith('.json') ? entry.slice(0, -'.json'.length) : '';
      if (!isFunctionId(id)) continue;
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
  }

  private async writeAtomic(fileName: string, data: Uint8Array | string): Promise<void> {
    const target = join(this.dir, fileName);
    const temp = join(this.dir, `.tmp-${randomUUID()}`);
    await writeFile(temp, data);
    await rename(temp, target);
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
