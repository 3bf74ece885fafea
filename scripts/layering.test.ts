import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The floors of ../shared/ARCHITECTURE.md, enforced: nothing imports upward, the engine never
// imports Electron, React or the server, and the renderer never imports Node.
const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return out;
  }
  for (const entry of entries) {
    const rel = join(dir, entry);
    if (entry === 'node_modules' || entry === 'build') continue;
    if (statSync(join(root, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|tsx|mts)$/.test(entry)) out.push(rel);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
    specs.push((m[1] ?? m[2] ?? m[3])!);
  }
  return specs;
}

function topFolderOf(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = relative(root, join(root, file, '..', spec));
  return target.split(/[\\/]/)[0];
}

const rules: Record<string, { folders: string[]; packages: RegExp[] }> = {
  contract: { folders: ['contract'], packages: [/^node:/, /^electron/, /^react/, /^fastify/] },
  runtime: { folders: ['contract', 'runtime', 'native'], packages: [/^electron/, /^react/, /^fastify/, /^@fastify/, /^zustand/, /^monaco/] },
  // The application layer (run store, settings, reports) sits on the engine, below both shells.
  workbench: { folders: ['workbench', 'runtime', 'contract'], packages: [/^electron/, /^react/, /^fastify/, /^@fastify/, /^zustand/, /^monaco/] },
  renderer: { folders: ['renderer', 'contract', 'assets'], packages: [/^node:/, /^electron/, /^fs$/, /^path$/, /^child_process$/] },
  preload: { folders: ['preload', 'contract'], packages: [/^node:(?!$)/, /^react/] },
  cli: { folders: ['cli', 'runtime', 'contract', 'server'], packages: [/^electron/, /^react/] },
  server: { folders: ['server', 'workbench', 'runtime', 'contract'], packages: [/^electron/, /^react/] },
  main: { folders: ['main', 'workbench', 'runtime', 'contract'], packages: [/^react/, /^fastify/, /^@fastify/] },
};

describe('layering', () => {
  it('the engine holds no application layer: the workbench service lives in workbench/, not runtime/', () => {
    const inRuntime = sourceFiles('runtime').filter((f) => /workbench-service|run-store|settings-store|render-html/.test(f));
    expect(inRuntime).toEqual([]);
    expect(sourceFiles('workbench')).toContain(join('workbench', 'workbench-service.ts'));
  });

  for (const [folder, rule] of Object.entries(rules)) {
    it(`${folder}/ imports only what its floor allows`, () => {
      const violations: string[] = [];
      for (const file of sourceFiles(folder)) {
        if (/\.(test|spec)\.tsx?$/.test(file)) continue;
        for (const spec of importsOf(file)) {
          const top = topFolderOf(file, spec);
          if (top !== undefined && !rule.folders.includes(top)) violations.push(`${file} → ${spec}`);
          if (top === undefined && rule.packages.some((p) => p.test(spec))) violations.push(`${file} → ${spec}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }
});
