import { useRef, useState } from 'react';
import type { OffloadDecision } from '../../contract/workbench.js';
import type { ExportDescription, ImportDescription } from '../../contract/module.js';
import { formatBytes, formatSignature, formatTime } from '../lib/format.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';

export async function openFiles(files: FileList | File[] | null): Promise<void> {
  const file = files?.[0];
  if (!file) return;
  // An empty file would reach V8 and come back as its raw 'BufferSource argument is empty'.
  if (file.size === 0) {
    getWorkbenchStore().setState({ openError: { code: 'invalid_module', message: `${file.name.slice(0, 120)} is empty (0 bytes): a WebAssembly module starts with the 8 bytes \\0asm and its version` }, screen: 'module' });
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  await getWorkbenchStore().getState().openModule({ kind: 'bytes', name: file.name, bytes });
}

function importGroup(i: ImportDescription): string {
  if (i.module.startsWith('wasi:cuda/')) return 'wasi:cuda';
  if (i.module === 'wasi_snapshot_preview1' || i.module === 'wasi_unstable') return 'WASI';
  return 'other';
}

function ExportRow({ e }: { e: ExportDescription }) {
  const callable = e.kind !== 'func' ? undefined : e.callableFromJson !== false;
  return (
    <tr>
      <td className="mono">{e.name}</td>
      <td>{e.kind}</td>
      <td className="mono">{e.kind === 'func' ? formatSignature(e.signature) : e.memory ? `${e.memory.initialPages} pages` : ''}</td>
      <td>
        {callable === undefined ? '' : callable ? <span className="badge ok">callable from JSON</span> : <span className="badge warn" title={e.notCallableReason}>not from JSON</span>}
        {e.runsInline ? (
          <span className="badge" title="Provably short and changes nothing: calls run on the engine's thread from one shared instance, with no worker">
            inline
          </span>
        ) : null}
        {callable === false && e.notCallableReason ? <div className="reason">{e.notCallableReason}</div> : null}
      </td>
    </tr>
  );
}

const COLLAPSED_ROWS = 8;

/** Promoted loops first; long lists of rejected loops (libc internals) collapsed. */
function OffloadTable({ decisions, offloadOn }: { decisions: OffloadDecision[]; offloadOn: boolean }) {
  const [all, setAll] = useState(false);
  const sorted = [...decisions].sort((a, b) => Number(b.promoted) - Number(a.promoted));
  const shown = all ? sorted : sorted.slice(0, COLLAPSED_ROWS);
  const promoted = decisions.filter((d) => d.promoted).length;
  return (
    <>
      <p className="hint">
        {promoted} of {decisions.length} loops would be promoted{offloadOn ? '' : ' — auto-offload is off in Settings (the comparison turns it on for its offload runs)'}.
      </p>
      <table className="grid-table" data-testid="offload-decisions">
        <thead><tr><th>Loop</th><th>Function</th><th>Promoted</th><th>Trip count</th><th>v128 ratio</th><th>Reason</th></tr></thead>
        <tbody>
          {shown.map((d) => (
            <tr key={`${d.loopId}:${d.function}`}><td className="mono">{d.loopId}</td><td className="mono">{d.function}</td><td>{d.promoted ? <span className="badge ok">yes</span> : <span className="badge">no</span>}</td><td>{d.tripCount ?? '–'}</td><td>{d.v128Ratio?.toFixed(2) ?? '–'}</td><td>{d.reason}</td></tr>
          ))}
        </tbody>
      </table>
      {sorted.length > COLLAPSED_ROWS ? <button className="link" onClick={() => setAll(!all)}>{all ? 'show fewer' : `show all ${sorted.length} loops`}</button> : null}
    </>
  );
}

export function ModuleScreen() {
  const examples = useWorkbench((s) => s.examples);
  const recent = useWorkbench((s) => s.recent);
  const module = useWorkbench((s) => s.module);
  const opening = useWorkbench((s) => s.opening);
  const openError = useWorkbench((s) => s.openError);
  const target = useWorkbench((s) => s.target);
  const offloadOn = useWorkbench((s) => s.settings?.offload.enabled ?? false);
  const input = useRef<HTMLInputElement>(null);
  const store = getWorkbenchStore().getState();
  const open = () => (target?.nativeDialogs ? void store.pickModule() : input.current?.click());

  return (
    <div className="screen" data-testid="screen-module">
      {module ? (
        <section className="card" data-testid="module-details">
          <h2>{module.name}</h2>
          <table className="kv">
            <tbody>
              <tr><th>sha256</th><td className="mono" data-testid="module-hash">{module.moduleId}</td></tr>
              <tr><th>Size</th><td>{formatBytes(module.description.sizeBytes)}</td></tr>
              <tr><th>Kind</th><td>{module.description.kind}{module.description.usesWasi ? ' · WASI' : ''}{module.description.usesWasiCuda ? ' · wasi:cuda' : ''}</td></tr>
              <tr>
                <th>Memory</th>
                <td>
                  {module.description.memories.length === 0
                    ? 'none'
                    : module.description.memories.map((m) => `${m.imported ? 'imported' : 'own'} ${m.initialPages}${m.maximumPages !== undefined ? `–${m.maximumPages}` : '+'} pages (${formatBytes(m.initialPages * 65536)})${m.shared ? ' shared' : ''}`).join('; ')}
                </td>
              </tr>
            </tbody>
          </table>
          <h3>Exports</h3>
          <table className="grid-table" data-testid="exports">
            <thead><tr><th>Name</th><th>Kind</th><th>Signature</th><th>Calls</th></tr></thead>
            <tbody>{module.description.exports.map((e) => <ExportRow key={e.name} e={e} />)}</tbody>
          </table>
          <h3>Imports</h3>
          {module.description.imports.length === 0 ? <p className="hint">none</p> : (
            <table className="grid-table">
              <thead><tr><th>Group</th><th>Module</th><th>Name</th><th>Signature</th></tr></thead>
              <tbody>
                {module.description.imports.map((i) => (
                  <tr key={`${i.module}/${i.name}`}><td><span className="badge">{importGroup(i)}</span></td><td className="mono">{i.module}</td><td className="mono">{i.name}</td><td className="mono">{formatSignature(i.signature)}</td></tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Offload decisions</h3>
          {module.offloadDecisions && module.offloadDecisions.length > 0 ? (
            <OffloadTable decisions={module.offloadDecisions} offloadOn={offloadOn} />
          ) : (
            <p className="hint">{module.offloadNote ?? 'The analyser found no loops in this module.'}</p>
                    )}
        </section>
      ) : null}
      <section className="card">
        <h2>Open a module</h2>
        <div className="row">
          <button className="primary" onClick={open} disabled={opening} data-testid="open-file">
            {target?.nativeDialogs ? 'Open file…' : 'Upload .wasm…'}
          </button>
          <span className="hint">or drop a .wasm file anywhere in this window</span>
          <input ref={input} type="file" accept=".wasm,application/wasm" hidden data-testid="file-input" onChange={(e) => void openFiles(e.target.files)} />
        </div>
        {opening ? <p className="hint">Loading…</p> : null}
        {openError ? (
          <p className="error" data-testid="open-error">
            <b>{openError.code}</b>: {openError.message}
            {/* The engine's message already names the offset; say it only where it does not. */}
            {openError.details?.offset !== undefined && !/byte offset/.test(openError.message) ? ` (at byte offset ${openError.details.offset})` : ''}
          </p>
        ) : null}
      </section>

      {!module || examples.length > 0 ? (
        <section className="card">
          <h2>Examples</h2>
          {examples.length === 0 ? <p className="hint">No bundled examples on this target (run scripts/copy-examples.mjs).</p> : null}
          <div className="examples">
            {examples.map((ex) => (
              <button key={ex.id} className="example" data-testid={`example-${ex.id}`} onClick={() => void store.openModule({ kind: 'example', id: ex.id })}>
                <b>{ex.title}</b>
                <span>{ex.description}</span>
                <span className="mono hint">{ex.fileName}</span>
              </button>
            ))}
          </div>
        </section>
      ) : null}

      {recent.length > 0 ? (
        <section className="card">
          <h2>Recent</h2>
          <ul className="recent">
            {recent.map((r) => (
              <li key={r.moduleId}>
                <button className="link" onClick={() => void store.openModule({ kind: 'recent', moduleId: r.moduleId })}>
                  {r.name}
                </button>
                <span className="hint"> {r.path ?? (r.exampleId ? 'example' : 'uploaded')} · {formatTime(r.openedAt)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

    </div>
  );
}
