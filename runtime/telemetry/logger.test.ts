/**
 * The lazy logger (issue 18): pino loads only when a line is written at an enabled level, and what
 * it writes is pino's JSON on stderr with the child's bindings and level. Each case runs in a fresh
 * process, since the logger belongs to the process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logLevelFromEnv } from './logger.js';

const root = join(import.meta.dirname, '..', '..');
const loggerFile = join(import.meta.dirname, 'logger.ts');

/** Runs `body` (with `getLogger` and `pinoLoaded()` in scope) in a fresh Node; stdout and stderr's JSON lines. */
function run(body: string, level = 'warn'): { stdout: string; lines: Record<string, unknown>[] } {
  const script = `import { createRequire } from 'node:module';
const { getLogger } = await import(${JSON.stringify(loggerFile)});
const pinoLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\\\/]pino[\\\\/]pino\\.js$/.test(k));
${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, TENSOR_WASM_LOG: level },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stdout: r.stdout, lines };
}

describe('getLogger', () => {
  it('loads no pino while nothing is written at an enabled level', () => {
    const r = run(`const log = getLogger({ component: 'a' });
log.debug('hidden'); log.info({ x: 1 }, 'hidden too');
console.log(pinoLoaded(), log.isLevelEnabled('warn'), log.isLevelEnabled('info'), log.level);`);
    expect(r.stdout.trim()).toBe('false true false warn');
    expect(r.lines).toEqual([]);
  });

  it('writes pino JSON lines with bindings, level and message once a line is enabled', () => {
    const r = run(`const log = getLogger({ component: 'engine' }).child({ runId: 'r1' });
log.warn({ code: 7 }, 'first'); log.error('second'); log.info('not at warn');
console.log(pinoLoaded());`);
    expect(r.stdout.trim()).toBe('true');
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatchObject({ level: 40, component: 'engine', runId: 'r1', code: 7, msg: 'first', pid: expect.any(Number) });
    expect(r.lines[1]).toMatchObject({ level: 50, component: 'engine', runId: 'r1', msg: 'second' });
  });

  it('follows TENSOR_WASM_LOG, and a level set later applies to the root and to children without their own', () => {
    const r = run(`const root = getLogger(); const a = getLogger({ component: 'a' }); const b = getLogger({ component: 'b' });
a.debug('at debug');
root.level = 'error'; a.warn('dropped'); b.level = 'trace'; b.trace('kept');
console.log(a.level, b.level, root.isLevelEnabled('warn'));`, 'debug');
    expect(r.stdout.trim()).toBe('error trace false');
    expect(r.lines.map((l) => l.msg)).toEqual(['at debug', 'kept']);
    expect(r.lines[1]).toMatchObject({ level: 10, component: 'b' });
  });

  it('refuses an unknown level without echoing more than a bounded part of it', () => {
    const r = run(`try { getLogger().level = 'x'.repeat(5000); console.log('accepted'); } catch (e) { console.log(e.message.length < 100, /unknown log level/.test(e.message)); }`);
    expect(r.stdout.trim()).toBe('true true');
  });

  it('reads the level from the environment, warn for anything else', () => {
    expect(logLevelFromEnv({ TENSOR_WASM_LOG: ' DEBUG ' })).toBe('debug');
    expect(logLevelFromEnv({ TENSOR_WASM_LOG: 'loud' })).toBe('warn');
    expect(logLevelFromEnv({})).toBe('warn');
  });
});
