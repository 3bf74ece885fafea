/**
 * Runs history on disk: one JSON file per run under `<dataDir>/runs/`, so history survives
 * restarts and a corrupt file loses one run, not all. Writes go to a temp file then rename.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TensorWasmError } from '../contract/errors.js';
import type { RunRecord, RunSummary } from '../contract/workbench.js';

const RUN_ID_RE = /^[A-Za-z0-9_-]{1,80}$/;

export function summarize(record: RunRecord): RunSummary {
  const s: RunSummary = {
    runId: record.runId,
    moduleId: record.moduleId,
    moduleName: record.moduleName,
    exportName: record.exportName,
    argsJson: record.argsJson,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    status: record.status,
    device: record.device,
    launchCount: record.launches.length + record.launchesDropped,
  };
  if (record.resultsJson !== undefined) s.resultsJson = record.resultsJson;
  if (record.error) s.error = record.error;
  const faults = record.launches.filter((l) => l.error).length;
  if (faults > 0) s.faultCount = faults;
  if (record.comparison) s.comparisonPoints = record.comparison.points.length;
  return s;
}

export class RunStore {
  private readonly dir: string;
  private summaries: Map<string, RunSummary> | undefined;

  /** @param maxRuns oldest runs beyond this are deleted: bounds the data directory's size. */
  constructor(
    dataDir: string,
    private readonly maxRuns = 500,
  ) {
    this.dir = join(dataDir, 'runs');
  }

  static checkRunId(runId: string): void {
    if (!RUN_ID_RE.test(runId)) throw new TensorWasmError('invalid_args', `run id must be 1–80 letters, digits, '-' or '_'; got '${runId.slice(0, 100)}'`);
  }

  private file(runId: string): string {
    RunStore.checkRunId(runId);
    return join(this.dir, `${runId}.json`);
  }

  private async index(): Promise<Map<string, RunSummary>> {
    if (this.summaries) return this.summaries;
    const map = new Map<string, RunSummary>();
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const record = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as RunRecord;
        map.set(record.runId, summarize(record));
      } catch {
        // A half-written or foreign file: skip it rather than lose the whole history.
      }
    }
    this.summaries = map;
    return map;
  }

  async save(record: RunRecord): Promise<void> {
    const index = await this.index();
    const path = this.file(record.runId);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(record));
    await rename(tmp, path);
    index.set(record.runId, summarize(record));
    if (index.size > this.maxRuns) {
      const oldest = [...index.values()].sort((a, b) => a.startedAt - b.startedAt).slice(0, index.size - this.maxRuns);
      for (const s of oldest) await this.delete(s.runId);
    }
  }

  /** Newest first. */
  async list(): Promise<RunSummary[]> {
    return [...(await this.index()).values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  async get(runId: string): Promise<RunRecord> {
    try {
      return JSON.parse(await readFile(this.file(runId), 'utf8')) as RunRecord;
    } catch (error) {
      if (error instanceof TensorWasmError) throw error;
      throw new TensorWasmError('not_found', `no run '${runId}' in the history`);
    }
  }

  async delete(runId: string): Promise<void> {
    await rm(this.file(runId), { force: true });
    (await this.index()).delete(runId);
  }
}
