/**
 * Monaco loaded from this bundle, never a CDN: the editor API only (no language services we do
 * not use), its worker built by vite (`?worker`), and a small Monarch grammar for argument arrays.
 * `loader.config({ monaco })` makes @monaco-editor/react use this copy.
 */
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/editor/editor.api';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

export const ARGS_LANGUAGE = 'tensorwasm-args';

let done = false;

export function setupMonaco(): typeof monaco {
  if (done) return monaco;
  done = true;
  (self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = { getWorker: () => new EditorWorker() };
  monaco.languages.register({ id: ARGS_LANGUAGE });
  monaco.languages.setMonarchTokensProvider(ARGS_LANGUAGE, {
    tokenizer: {
      root: [
        [/-?\d+\.\d*([eE][+-]?\d+)?|-?\d+[eE][+-]?\d+/, 'number.float'],
        [/-?\d+/, 'number'],
        [/"([^"\\]|\\.)*"/, 'string'],
        [/\b(true|false|null)\b/, 'keyword'],
        [/[[\]{},:]/, 'delimiter'],
      ],
    },
  });
  loader.config({ monaco });
  return monaco;
}

export { monaco };
