import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef, useState } from 'react';
import { checkArgs, type ArgDiagnostic } from '../../contract/json-args.js';
import type { FunctionSignature } from '../../contract/values.js';
import { ARGS_LANGUAGE, monaco } from '../monaco/setup-monaco.js';

type Props = {
  value: string;
  signature?: FunctionSignature;
  theme: 'dark' | 'light';
  onChange(text: string): void;
  /** Ctrl/Cmd+Enter. */
  onSubmit(): void;
  /** The text's diagnostics, each time they are checked (the screen lists them under the editor). */
  onDiagnostics?(diagnostics: ArgDiagnostic[]): void;
};

/**
 * Text put in at once (autofill, dictation, a script's insertText) longer than this is inserted
 * as one edit. Monaco types "keyboard" text one character at a time (for auto-closing brackets),
 * emitting view events per character that it merges in a list it scans each time: 20,000
 * characters were one task of 13 s. The editor takes input through its textarea (not Chromium's
 * EditContext, whose text updates cannot be intercepted) so such an insert can be caught first.
 */
const BULK_INSERT_CHARS = 64;

/** Offsets → monaco markers (1-based lines and columns). */
function toMarkers(model: monaco.editor.ITextModel, diagnostics: ArgDiagnostic[]): monaco.editor.IMarkerData[] {
  return diagnostics.map((d) => {
    const start = model.getPositionAt(d.start);
    const end = model.getPositionAt(Math.max(d.end, d.start + 1));
    return {
      severity: monaco.MarkerSeverity.Error,
      message: `${d.code}: ${d.message}`,
      code: d.code,
      startLineNumber: start.lineNumber,
      startColumn: start.column,
      endLineNumber: end.lineNumber,
      endColumn: end.column,
    };
  });
}

/** Inserts `text` at every selection as one undoable edit, leaving the cursors after it. */
function insertAsOneEdit(editor: monaco.editor.IStandaloneCodeEditor, text: string): void {
  const selections = editor.getSelections() ?? [];
  editor.pushUndoStop();
  editor.executeEdits(
    'tensor-wasm-bulk-insert',
    selections.map((range) => ({ range, text, forceMoveMarkers: true })),
    (inverse) => inverse.map((op) => monaco.Selection.fromPositions(op.range.getEndPosition())),
  );
  editor.pushUndoStop();
}

/**
 * The argument editor: knows the export's signature and marks mistakes as you type. Monaco owns
 * the text: the store hears every change, but the store's text is pushed back into the editor
 * only when it did not come from the editor (history, presets), so a keystroke never makes the
 * editor compare or reset its whole text.
 */
export function ArgsEditor({ value, signature, theme, onChange, onSubmit, onDiagnostics }: Props) {
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const submitRef = useRef(onSubmit);
  submitRef.current = onSubmit;
  const changeRef = useRef(onChange);
  changeRef.current = onChange;
  const diagnosticsRef = useRef(onDiagnostics);
  diagnosticsRef.current = onDiagnostics;
  /** The last text the editor reported (the store's text is this unless something else set it). */
  const emitted = useRef(value);
  /** Set once monaco has mounted: the effects below run again then (the text may have changed before). */
  const [ready, setReady] = useState(false);

  const onMount: OnMount = (editor) => {
    editorRef.current = editor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => submitRef.current());
    editor.onDidChangeModelContent(() => {
      const text = editor.getValue();
      emitted.current = text;
      changeRef.current(text);
    });
    editor.getDomNode()?.addEventListener(
      'beforeinput',
      (e: InputEvent) => {
        if (e.inputType !== 'insertText' && e.inputType !== 'insertReplacementText') return;
        const text = e.data ?? e.dataTransfer?.getData('text/plain') ?? '';
        if (text.length < BULK_INSERT_CHARS || editor.getOption(monaco.editor.EditorOption.readOnly)) return;
        e.preventDefault();
        e.stopPropagation();
        insertAsOneEdit(editor, text);
      },
      true,
    );
    editor.focus();
    setReady(true);
  };

  // Text set from outside the editor (history, a preset, another export's text): put it in.
  useEffect(() => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (!editor || !model || value === emitted.current) return;
    emitted.current = value;
    if (model.getValue() === value) return;
    editor.pushUndoStop();
    editor.executeEdits('tensor-wasm-set-args', [{ range: model.getFullModelRange(), text: value, forceMoveMarkers: true }]);
    editor.pushUndoStop();
  }, [value, ready]);

  // Markers and the list under the editor follow the text and the signature only (not every
  // re-render of the screen around the editor), from one check; a burst of edits to a long text
  // is checked once it pauses, in a task of its own (20,000 characters take tens of ms).
  useEffect(() => {
    const model = editorRef.current?.getModel();
    const mark = () => {
      const diagnostics = signature ? checkArgs(value, signature).diagnostics : [];
      if (model && !model.isDisposed()) monaco.editor.setModelMarkers(model, 'tensor-wasm-args', toMarkers(model, diagnostics));
      diagnosticsRef.current?.(diagnostics);
    };
    if (value.length < 4096) {
      mark();
      return;
    }
    const timer = setTimeout(mark, 150);
    return () => clearTimeout(timer);
  }, [value, signature, ready]);

  return (
    <div className="args-editor" data-testid="args-editor">
      <Editor
        height="96px"
        language={ARGS_LANGUAGE}
        theme={theme === 'dark' ? 'vs-dark' : 'vs'}
        defaultValue={value}
        onMount={onMount}
        options={{ editContext: false, minimap: { enabled: false }, lineNumbers: 'off', fontSize: 14, scrollBeyondLastLine: false, wordWrap: 'on', automaticLayout: true, glyphMargin: false, folding: false, renderLineHighlight: 'none' }}
      />
    </div>
  );
}
