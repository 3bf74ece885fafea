import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HTTP_STATUS, TensorWasmError } from '../../contract/errors.js';
import { errorReply } from './errors.js';

describe('errorReply', () => {
  it('answers every code with its contract status', () => {
    for (const code of ERROR_CODES) {
      const { status, body } = errorReply(new TensorWasmError(code, `a ${code}`, { argIndex: 1 }));
      expect(status).toBe(HTTP_STATUS[code]);
      expect(body).toEqual({ error: { code, message: `a ${code}`, details: { argIndex: 1 } } });
    }
  });

  it('maps fastify client errors and hides internal ones', () => {
    expect(errorReply(Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }))).toMatchObject({
      status: 413,
      body: { error: { code: 'payload_too_large' } },
    });
    expect(errorReply(Object.assign(new Error('querystring/x must be integer'), { statusCode: 400, validation: [] }))).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_args' } },
    });
    expect(errorReply(new Error('secret path /etc/x'))).toEqual({ status: 500, body: { error: { code: 'internal', message: 'internal server error' } } });
  });
});
