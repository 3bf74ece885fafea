import type { KernelParamInfo } from '../../../contract/device.js';

const SCALAR_TYPE = /^\.(u|s|b|f)(8|16|32|64)$/;

function stripComments(ptx: string): string {
  return ptx.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The `.param` list of one `.entry` in PTX text, in declaration order, or undefined when the entry
 * is not declared. Handles `.param .u64 p`, `.param .u64 .ptr .global .align 4 p` and
 * `.param .align 8 .b8 p[16]` (by-value structs).
 */
export function parseEntryParams(ptx: string, entry: string): KernelParamInfo[] | undefined {
  const text = stripComments(ptx);
  const head = new RegExp(`\\.entry\\s+${escapeRegExp(entry)}\\s*\\(`, 'm').exec(text);
  if (!head) {
    // An entry with no parameters may be declared without the parenthesised list.
    return new RegExp(`\\.entry\\s+${escapeRegExp(entry)}\\s*(\\{|\\.max|\\.min|\\.req|\\.noreturn)`, 'm').test(text) ? [] : undefined;
  }
  const start = head.index + head[0].length;
  const end = text.indexOf(')', start);
  if (end < 0) return undefined;
  const body = text.slice(start, end).trim();
  if (body === '') return [];
  return body.split(',').map((item) => parseParam(item.trim()));
}

function parseParam(item: string): KernelParamInfo {
  const tokens = item.split(/\s+/).filter(Boolean);
  let type = 'b8';
  let elemSize = 1;
  let align: number | undefined;
  let name = tokens[tokens.length - 1] ?? '';
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i]!;
    if (token === '.align') align = Number(tokens[++i]);
    const scalar = SCALAR_TYPE.exec(token);
    if (scalar) {
      type = token.slice(1);
      elemSize = Number(scalar[2]) / 8;
    }
  }
  let count = 1;
  const array = /^(.*)\[(\d+)\]$/.exec(name);
  if (array) {
    name = array[1]!;
    count = Number(array[2]);
  }
  const info: KernelParamInfo = { name, type, sizeBytes: elemSize * count };
  if (align !== undefined && Number.isFinite(align)) info.align = align;
  return info;
}
