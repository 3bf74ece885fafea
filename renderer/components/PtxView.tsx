import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef, useState } from 'react';
import type { LaunchEvent } from '../../contract/events.js';
import { toErrorInfo, type ErrorInfo } from '../../contract/errors.js';
import { entryLine, entryRegisters } from '../../contract/ptx-text.js';
import type { PtxSource } from '../../contract/workbench.js';
import { monaco, PTX_LANGUAGE } from '../monaco/setup-monaco.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';
import { useTheme } from './theme.js';

/** PTX texts fetched this session, by module and hash (the same kernel is selected again and again). */
const cache = new Map<string, PtxSource | ErrorInfo>();

/** Fetches a launch's PTX once; undefined while it loads. */
export function usePtx(moduleId: string | undefined, launch: LaunchEvent): PtxSource | ErrorInfo | undefined {
  const key = `${moduleId}:${launch.ptxHash}`;
  const [value, setValue] = useState(() => cache.get(key));
  useEffect(() => {
    const known = cache.get(key);
    setValue(known);
    if (known || !moduleId) return;
    if (launch.origin === 'offload') {
      const info: ErrorInfo = { code: 'not_found', message: 'auto-offload generates this kernel when the module is instantiated; its PTX is not in the module' };
      cache.set(key, info);
      setValue(info);
      return;
    }
    let live = true;
    getWorkbenchStore()
      .getState()
      .fetchPtx(moduleId, launch.ptxHash)
      .then(
        (ptx) => ptx,
        (error: unknown) => toErrorInfo(error),
      )
      .then((v) => {
        cache.set(key, v);
        if (live) setValue(v);
      });
    return () => {
      live = false;
    };
  }, [key, moduleId, launch.ptxHash, launch.origin]);
  return value;
}

const isPtx = (v: PtxSource | ErrorInfo | undefined): v is PtxSource => !!v && 'text' in v;

/**
 * The launch's PTX, read-only in Monaco (bundled, no CDN), scrolled to its entry; a sanitizer row
 * clicked for this launch scrolls it to the faulting line instead and marks it.
 */
export function PtxView({ launch, ptx }: { launch: LaunchEvent; ptx: PtxSource | ErrorInfo | undefined }) {
  const theme = useTheme();
  const focus = useWorkbench((s) => s.ptxFocusLine);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const decorations = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);
  const text = isPtx(ptx) ? ptx.text : undefined;
  const entry = text ? entryLine(text, launch.kernel) : undefined;
  const target = focus ?? entry;

  const reveal = () => {
    const editor = editorRef.current;
    if (!editor || target === undefined) return;
    editor.revealLineInCenter(target);
    editor.setSelection(new monaco.Selection(target, 1, target, 1));
    decorations.current?.clear();
    decorations.current = editor.createDecorationsCollection([{ range: new monaco.Range(target, 1, target, 1), options: { isWholeLine: true, className: focus !== undefined ? 'ptx-fault-line' : 'ptx-entry-line' } }]);
    editor.getDomNode()?.setAttribute('data-line', String(target));
  };
  const onMount: OnMount = (editor) => {
    editorRef.current = editor;
    reveal();
  };
  useEffect(reveal, [target, text]);

  if (!ptx) return <p className="hint" data-testid="ptx-loading">Loading the PTX…</p>;
  if (!isPtx(ptx)) return <p className="hint" data-testid="ptx-missing">No PTX to show: {ptx.message}</p>;
  return (
    <div className="ptx-view" data-testid="ptx-view" data-entry-line={entry ?? ''} data-target-line={target ?? ''}>
      <Editor
        height="320px"
        language={PTX_LANGUAGE}
        value={ptx.text}
        theme={theme === 'dark' ? 'vs-dark' : 'vs'}
        onMount={onMount}
        options={{ readOnly: true, domReadOnly: true, minimap: { enabled: false }, scrollBeyondLastLine: false, fontSize: 12, lineNumbers: 'on', renderValidationDecorations: 'off', automaticLayout: true }}
      />
    </div>
  );
}

/** Registers per thread the entry's PTX declares, or undefined when there is no PTX. */
export function declaredRegisters(ptx: PtxSource | ErrorInfo | undefined, kernel: string): number | undefined {
  return isPtx(ptx) ? entryRegisters(ptx.text, kernel)?.registers32 : undefined;
}
