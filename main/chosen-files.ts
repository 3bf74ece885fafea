/**
 * The files the person chose, kept by the main process: a path enters this list only from the
 * native Open dialog (main calls it; the renderer cannot answer it), and `openModule` by path
 * opens nothing else. The renderer names paths, it never grants them. Persisted in the data
 * directory as the desktop's recent list (path ↔ module id), so "recent" survives a restart
 * without the renderer ever being trusted with it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, normalize } from 'node:path';

export interface ChosenFile {
  path: string;
  /** The module id the file had when it was last opened. */
  moduleId?: string;
  chosenAt: number;
}

const MAX_CHOSEN = 50;

/** The form paths are compared in: absolute and normalised (no `.`/`..`, no doubled separators). */
function key(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0') || !isAbsolute(path)) return undefined;
  return normalize(path);
}

export class ChosenFiles {
  private entries: ChosenFile[] | undefined;

  constructor(private readonly file: string) {}

  private async load(): Promise<ChosenFile[]> {
    if (this.entries) return this.entries;
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      this.entries = Array.isArray(parsed)
        ? parsed.filter((e): e is ChosenFile => typeof e === 'object' && e !== null && typeof e.path === 'string' && key(e.path) === e.path && typeof e.chosenAt === 'number')
        : [];
    } catch {
      this.entries = [];
    }
    return this.entries;
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.entries ?? [], null, 2));
    await rename(tmp, this.file);
  }

  /** Records a path the person chose in the dialog (most recent first). */
  async grant(path: string): Promise<void> {
    const k = key(path);
    if (!k) return;
    const list = (await this.load()).filter((e) => e.path !== k);
    list.unshift({ path: k, chosenAt: Date.now() });
    this.entries = list.slice(0, MAX_CHOSEN);
    await this.save();
  }

  /** The granted path a request names, or undefined: nothing about the file system is looked at. */
  async allowed(path: string): Promise<string | undefined> {
    const k = key(path);
    if (!k) return undefined;
    return (await this.load()).some((e) => e.path === k) ? k : undefined;
  }

  /** Remembers which module a granted path held, so the recent list can show the path. */
  async opened(path: string, moduleId: string): Promise<void> {
    const entry = (await this.load()).find((e) => e.path === path);
    if (!entry) return;
    entry.moduleId = moduleId;
    await this.save();
  }

  /** Module id → the path it was last opened from. */
  async pathsByModule(): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const e of await this.load()) if (e.moduleId && !map.has(e.moduleId)) map.set(e.moduleId, e.path);
    return map;
  }
}
