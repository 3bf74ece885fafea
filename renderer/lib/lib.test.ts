import { describe, expect, it } from 'vitest';
import { pushHistory } from './arg-history.js';
import { filledCells, gridLayout } from './grid-layout.js';
import { newId } from './ids.js';
import { SseParser } from '../../contract/sse.js';
import { checkRemoteUrl } from '../transport/select-transport.js';
import { createHttpTransport } from '../transport/http-transport.js';

describe('grid layout', () => {
  it('keeps small 2-D grids in their shape', () => {
    expect(gridLayout([8, 4, 1])).toMatchObject({ totalBlocks: 32, blocksPerCell: 1, columns: 8, rows: 4 });
  });
  it('bounds huge grids by grouping blocks per cell', () => {
    const l = gridLayout([1_000_000, 1, 1]);
    expect(l.cells).toBeLessThanOrEqual(16_384);
    expect(l.blocksPerCell).toBe(62);
    expect(filledCells(l, 620)).toBe(10);
    expect(filledCells(l, 1_000_000)).toBe(l.cells);
  });
});

describe('argument history', () => {
  it('puts the newest first, without duplicates, bounded', () => {
    let h: string[] = [];
    for (let i = 0; i < 30; i++) h = pushHistory(h, `[${i}]`);
    h = pushHistory(h, '[25]');
    expect(h[0]).toBe('[25]');
    expect(h).toHaveLength(20);
    expect(new Set(h).size).toBe(20);
    expect(pushHistory(h, '   ')).toEqual(h);
  });
});

describe('ids', () => {
  it('are accepted by the server’s run-id rule', () => expect(newId('run')).toMatch(/^[A-Za-z0-9_-]{1,80}$/));
});

describe('SSE parser', () => {
  it('joins chunks, skips comments, splits messages', () => {
    const p = new SseParser();
    expect(p.push(': stream open\n\nid: 1\nevent: batch\nda')).toEqual([]);
    expect(p.push('ta: [1]\n\nevent: batch\r\ndata: [2]\r\n\r\n')).toEqual([
      // the last event id carries over to later messages (WHATWG), as server clients rely on
      { event: 'batch', data: '[1]', id: '1' },
      { event: 'batch', data: '[2]', id: '1' },
    ]);
    // a CRLF split across chunks is one line end, not two
    expect(p.push('data: [3]\r')).toEqual([]);
    expect(p.push('\n\r\n')).toEqual([{ event: 'message', data: '[3]', id: '1' }]);
  });
});

describe('remote target URL', () => {
  it.each([['http://gpu:8080', undefined], ['https://x', undefined]])('%s ok', (u, want) => expect(checkRemoteUrl(u)).toBe(want));
  it.each(['gpu:8080', 'ftp://x', 'http://user:pw@x', 'nope'])('%s refused', (u) => expect(checkRemoteUrl(u)).toBeTypeOf('string'));
});

describe('HTTP transport', () => {
  it('sends the token, uploads bytes as application/wasm and maps error bodies to codes', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchStub = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      if (url.endsWith('/workbench/runs/missing')) return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no run' } }), { status: 404 });
      if (url.includes('/workbench/modules')) return new Response(JSON.stringify({ moduleId: 'm' }), { status: 200 });
      return new Response(JSON.stringify({ kind: 'local', label: 'this server', engineVersion: '1', nativeDialogs: false }), { status: 200 });
    }) as unknown as typeof fetch;
    const api = createHttpTransport({ baseUrl: 'http://gpu:8080/', token: 's3cret', fetch: fetchStub });
    expect(await api.getTarget()).toMatchObject({ kind: 'remote', label: 'http://gpu:8080' });
    await api.openModule({ kind: 'bytes', name: 'a b.wasm', bytes: new Uint8Array([0, 97]) });
    expect(calls[1]!.url).toBe('http://gpu:8080/workbench/modules?name=a%20b.wasm');
    expect((calls[1]!.init.headers as Record<string, string>)['content-type']).toBe('application/wasm');
    expect((calls[1]!.init.headers as Record<string, string>).authorization).toBe('Bearer s3cret');
    await expect(api.getRun('missing')).rejects.toMatchObject({ code: 'not_found', message: 'no run' });
  });
});
