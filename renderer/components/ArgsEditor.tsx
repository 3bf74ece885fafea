import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef } from 'react';
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
};

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

/** The argument editor: knows the export's signature and marks mistakes as you type. */
export function ArgsEditor({ value, signature, theme, onChange, onSubmit }: Props) {
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const submitRef = useRef(onSubmit);
  submitRef.current = onSubmit;

  const onMount: OnMount = (editor) => {
    editorRef.current = editor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => submitRef.current());
    editor.focus();
  };

  // Markers follow the text and the signature only (not every re-render of the screen around the
  // editor); a burst of edits to a long text is checked once it pauses.
  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    const mark = () => monaco.editor.setModelMarkers(model, 'tensor-wasm-args', signature ? toMarkers(model, checkArgs(value, signature).diagnostics) : []);
    if (value.length < 4096) {
      mark();
      return;
    }
    const timer = setTimeout(mark, 150);
    return () => clearTimeout(timer);
  }, [value, signature]);

  return (
    <div className="args-editor" data-testid="args-editor">
      <Editor
        height="96px"
        language={ARGS_LANGUAGE}
        theme={theme === 'dark' ? 'vs-dark' : 'vs'}
        value={value}
        onChange={(v) => onChange(v ?? '')}
        onMount={onMount}
        options={{ minimap: { enabled: false }, lineNumbers: 'off', fontSize: 14, scrollBeyondLastLine: false, wordWrap: 'on', automaticLayout: true, glyphMargin: false, folding: false, renderLineHighlight: 'none' }}
      />
    </div>
  );
}
