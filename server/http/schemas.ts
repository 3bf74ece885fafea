/**
 * JSON schemas of the API's bodies. Fastify uses the response schemas to serialise replies and
 * @fastify/swagger turns all of them into /openapi.json, so the document describes what is sent.
 * Request bodies of deploy and invoke are parsed by hand (raw wasm; lossless numbers), so their
 * schemas are attached for the document only (route `config.docBody`, see openapi.ts).
 */

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          description: 'Stable error code (docs/ERRORS.md).',
          enum: [
            'invalid_module', 'invalid_args', 'type_mismatch', 'unknown_export', 'trap', 'deadline_exceeded',
            'limit_exceeded', 'device_unavailable', 'not_found', 'unauthorized', 'payload_too_large',
            'queue_full', 'cancelled', 'internal',
          ],
        },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

const signature = {
  type: 'object',
  properties: {
    params: { type: 'array', items: { type: 'string' } },
    results: { type: 'array', items: { type: 'string' } },
  },
} as const;

const exportDescription = {
  type: 'object',
  required: ['name', 'kind'],
  additionalProperties: true,
  properties: {
    name: { type: 'string' },
    kind: { type: 'string', enum: ['func', 'table', 'memory', 'global', 'tag'] },
    signature,
    callableFromJson: { type: 'boolean' },
    notCallableReason: { type: 'string' },
    runsInline: { type: 'boolean', description: 'Calls run on the request thread from one shared instance: the export provably changes nothing and is short' },
  },
} as const;

const importDescription = {
  type: 'object',
  required: ['module', 'name', 'kind'],
  additionalProperties: true,
  properties: {
    module: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string' },
    signature,
  },
} as const;

const functionCore = {
  id: { type: 'string', pattern: '^[0-9a-f]{64}$', description: "The module's sha256 (content address)." },
  name: { type: 'string' },
  hash: { type: 'string', description: 'sha256 of the module bytes, lowercase hex.' },
  exports: { type: 'array', items: exportDescription },
} as const;

export const functionSummarySchema = {
  type: 'object',
  required: ['id', 'name', 'hash', 'exports'],
  properties: { ...functionCore, sizeBytes: { type: 'integer' }, deployedAt: { type: 'string', format: 'date-time' } },
} as const;

export const deployReplySchema = {
  ...functionSummarySchema,
  properties: {
    ...functionSummarySchema.properties,
    created: { type: 'boolean', description: 'false when these bytes were already deployed (same id).' },
  },
} as const;

export const functionListSchema = {
  type: 'object',
  required: ['functions'],
  properties: { functions: { type: 'array', items: functionSummarySchema } },
} as const;

export const functionDetailSchema = {
  type: 'object',
  required: ['id', 'name', 'hash', 'exports', 'imports'],
  properties: {
    ...functionCore,
    sizeBytes: { type: 'integer' },
    deployedAt: { type: 'string', format: 'date-time' },
    kind: { type: 'string', enum: ['command', 'reactor', 'library'] },
    imports: { type: 'array', items: importDescription },
    memories: { type: 'array', items: { type: 'object', additionalProperties: true } },
    customSections: { type: 'array', items: { type: 'object', additionalProperties: true } },
    usesWasi: { type: 'boolean' },
    usesWasiCuda: { type: 'boolean' },
    offload: {
      type: 'object',
      additionalProperties: true,
      description: 'Auto-offload analysis of the loops (present when the offload analyser is available).',
    },
  },
} as const;

export const deployJsonBodySchema = {
  type: 'object',
  required: ['wasm'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 128 },
    wasm: { type: 'string', description: 'The module bytes, base64.' },
  },
} as const;

export const deployDocBody = {
  content: {
    'application/wasm': { schema: { type: 'string', format: 'binary', description: 'The raw module; name it with ?name=.' } },
    'application/octet-stream': { schema: { type: 'string', format: 'binary', description: 'Same as application/wasm.' } },
    'application/json': { schema: deployJsonBodySchema },
  },
} as const;

export const invokeBodySchema = {
  type: 'object',
  required: ['export'],
  additionalProperties: false,
  properties: {
    export: { type: 'string', description: 'The exported function to call.' },
    args: {
      type: 'array',
      items: { type: 'number' },
      description:
        'Arguments, classified from their text (guide §3.1): integer in i32 range → i32, other integer → i64, a literal with "." or an exponent → f64; anything else → invalid_args.',
    },
    runId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$', description: 'Client-chosen run id, so GET /runs/{runId}/events can be opened before invoking.' },
    deadlineMs: { type: 'integer', minimum: 1, description: "Lower this call's deadline (never above the server's)." },
  },
} as const;

export const invokeReplySchema = {
  type: 'object',
  required: ['results', 'durationMs', 'device', 'launches'],
  properties: {
    results: { type: 'array', items: { oneOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }] }, description: 'i64 as exact integers; non-finite floats as strings.' },
    durationMs: { type: 'number' },
    device: { type: 'string' },
    launches: { type: 'integer' },
    runId: { type: 'string' },
    stdout: { type: 'string' },
    stderr: { type: 'string' },
  },
} as const;

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'Function id (64 hex digits).' } },
} as const;

export const runIdParamsSchema = {
  type: 'object',
  required: ['runId'],
  properties: { runId: { type: 'string' } },
} as const;

/** An error response for the document: the shared body plus what the status means here. */
export function errorResponse(description: string) {
  return { description, ...errorSchema };
}

/** Statuses any route can answer. */
export const commonErrors = {
  401: errorResponse('unauthorized: missing or wrong bearer token (only when the server has a token)'),
  500: errorResponse('internal'),
} as const;
