/**
 * Monaco loaded from this bundle, never a CDN: the editor API only (no language services we do
 * not use), its worker built by vite (`?worker`), and a small Monarch grammar for argument arrays.
 * `loader.config({ monaco })` makes @monaco-editor/react use this copy.
 */
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/editor/editor.api';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

export const ARGS_LANGUAGE = 'tensorwasm-args';
export const PTX_LANGUAGE = 'ptx';

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
  // PTX, read-only in launch details: directives, types, registers, comments, numbers, labels.
  monaco.languages.register({ id: PTX_LANGUAGE });
  monaco.languages.setMonarchTokensProvider(PTX_LANGUAGE, {
    tokenizer: {
      root: [
        [/\/\/.*$/, 'comment'],
        [/\/\*/, 'comment', '@comment'],
        [/\.(visible|entry|func|param|reg|shared|global|local|const|version|target|address_size|align|extern|weak)\b/, 'keyword'],
        [/\.[a-z][a-z0-9_]*/, 'type'],
        [/%[A-Za-z_$][\w$]*/, 'variable'],
        [/\$?[A-Za-z_][\w$]*:/, 'tag'],
        [/0[xX][0-9a-fA-F]+|0[fFdD][0-9a-fA-F]+|-?\d+(\.\d+)?/, 'number'],
        [/@!?%?\w+/, 'annotation'],
        [/[{}()[\];,]/, 'delimiter'],
      ],
      comment: [
        [/\*\//, 'comment', '@pop'],
        [/./, 'comment'],
      ],
    },
  });
  loader.config({ monaco });
  return monaco;
}

export { monaco };
