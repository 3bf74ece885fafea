/**
 * JSON text for values that may hold bigints (i64 results, events carrying them): bigints are
 * written as their exact digits, never through a double. Non-finite floats never reach here as
 * numbers (results carry them as the strings "NaN", "Infinity", "-Infinity"); if one does, it is
 * written as that string rather than as invalid JSON.
 */
export function stringifyExact(value: unknown, indent?: number): string {
  return write(value, indent ?? 0, 0) ?? 'null';
}

function write(value: unknown, indent: number, depth: number): string | undefined {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      if (Object.is(value, -0)) return '-0.0';
      if (Number.isFinite(value)) return JSON.stringify(value);
      return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const pad = indent > 0 ? '\n' + ' '.repeat(indent * (depth + 1)) : '';
  const end = indent > 0 ? '\n' + ' '.repeat(indent * depth) : '';
  const sep = indent > 0 ? ': ' : ':';
  const maybeJson = value as { toJSON?: () => unknown };
  if (typeof maybeJson.toJSON === 'function' && !Array.isArray(value)) return write(maybeJson.toJSON(), indent, depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[' + value.map((v) => pad + (write(v, indent, depth + 1) ?? 'null')).join(',') + end + ']';
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const text = write(v, indent, depth + 1);
    if (text !== undefined) parts.push(pad + JSON.stringify(k) + sep + text);
  }
  return parts.length === 0 ? '{}' : '{' + parts.join(',') + end + '}';
}
