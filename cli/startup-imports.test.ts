/**
 * Start-up (issue 18): a command loads only its own code. `run` of a plain export must not load the
 * server, metrics, the tracing exporters, the offload rewriter or the devices; `--version` loads no
 * command. Checked on a real process with a module-loading hook that lists every module loaded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tw-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'hooks.mjs'), "export async function load(url, context, next) { process._rawDebug('LOADED ' + url); return next(url, context); }\n");
writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);

/** The modules a command line loads (from the sources, through tsx), and what it printed. */
function loaded(...args: string[]): Promise<{ stdout: string; modules: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', pathToFileURL(join(dir, 'register.mjs')).href, join(root, 'cli', 'main.ts'), ...args],
      { cwd: root, env: { ...process.env, TENSOR_WASM_LOG: 'warn' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr.slice(0, 2000)}`));
        const modules = stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length));
        resolve({ stdout, modules });
      },
    );
  });
}

const NOT_FOR_RUN = [/\/server\//, /node_modules\/(fastify|@fastify|prom-client)\//, /@opentelemetry\/(sdk-|exporter-)/, /\/runtime\/offload\/(rewrite|prepare|engine-variant|ptx-codegen)\./, /\/runtime\/devices\/(cpu|select)/, /\/cli\/commands\/(serve|deploy|invoke|functions|bench|devices|inspect)\./];

describe('what each command loads', () => {
  it('run --invoke of a plain export loads none of the server, metrics, exporters, offload rewriter or devices', async () => {
    const r = await loaded('run', join(root, 'fixtures', 'wasm', 'add.wasm'), '--invoke', 'add', '--args', '[1,2]');
    expect(r.stdout).toBe('[3]\n');
    expect(r.modules.some((m) => m.endsWith('/cli/commands/run.ts'))).toBe(true); // the hook sees our files
    for (const pattern of NOT_FOR_RUN) expect(r.modules.filter((m) => pattern.test(m))).toEqual([]);
  });

  it('--version loads no command (nor the parser) and inspect no engine', async () => {
    const version = await loaded('--version');
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(version.modules.filter((m) => /\/cli\/commands\/|\/runtime\/(?!marshal\/)|node_modules\/commander\//.test(m))).toEqual([]);
    const inspect = await loaded('inspect', join(root, 'fixtures', 'wasm', 'add.wasm'));
    expect(inspect.stdout).toMatch(/^module: /);
    expect(inspect.modules.filter((m) => /\/runtime\/(engine|instance|telemetry|offload\/(rewrite|prepare))|\/server\//.test(m))).toEqual([]);
  });
});
