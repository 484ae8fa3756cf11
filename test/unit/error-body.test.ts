import { describe, expect, it } from 'vitest';
import { parseErrorBody } from '../../src/upstream/error-body.ts';

describe('parseErrorBody', () => {
  it('reads a validation body, preferring nested_field and keeping additional_info', () => {
    const body = JSON.stringify({
      description: 'Validation failed',
      errors: [
        {
          field: 'email',
          additional_info: { user_id: 50000067379 },
          message: 'It should be a unique value',
          code: 'duplicate_value',
        },
        {
          field: 'custom_fields',
          nested_field: 'custom_fields.cf_region',
          message: "It should be one of these values: 'EU,US'",
          code: 'invalid_value',
        },
        { field: 'priority', message: 'It should be a/an Positive Integer' },
      ],
    });
    expect(parseErrorBody(body)).toEqual({
      shape: 'validation',
      message: 'Validation failed',
      fieldErrors: [
        {
          field: 'email',
          message: 'It should be a unique value',
          code: 'duplicate_value',
          additionalInfo: { user_id: 50000067379 },
        },
        {
          field: 'custom_fields.cf_region',
          message: "It should be one of these values: 'EU,US'",
          code: 'invalid_value',
        },
        { field: 'priority', message: 'It should be a/an Positive Integer', code: 'invalid_value' },
      ],
    });
  });

  it('reads a request error', () => {
    expect(
      parseErrorBody('{"code":"invalid_credentials","message":"You have to be logged in."}'),
    ).toEqual({
      shape: 'request',
      upstreamCode: 'invalid_credentials',
      message: 'You have to be logged in.',
    });
  });

  it('reads a base error', () => {
    expect(parseErrorBody('{"message":"PUT method is not allowed."}')).toEqual({
      shape: 'base',
      message: 'PUT method is not allowed.',
    });
  });

  it.each(['', ' ', '\n', undefined])('reads an empty body (%j)', (text) => {
    expect(parseErrorBody(text)).toEqual({ shape: 'empty' });
  });

  it.each([
    ['an HTML 502 page', '<html><head><title>502 Bad Gateway</title></head></html>'],
    ['truncated JSON', '{"description":"Validation failed","errors":[{"fie'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"oops"'],
    ['an unrelated object', '{"foo":1}'],
    ['null', 'null'],
  ])('tolerates %s', (_name, text) => {
    expect(parseErrorBody(text)).toEqual({ shape: 'unknown' });
  });

  it('tolerates odd entries inside errors[]', () => {
    expect(parseErrorBody('{"errors":["broken", 3, null, {"message": 5}]}')).toEqual({
      shape: 'validation',
      fieldErrors: [
        { field: '', message: 'broken', code: 'invalid_value' },
        { field: '', message: '5', code: 'invalid_value' },
      ],
    });
  });

  it('shortens very long messages', () => {
    const details = parseErrorBody(JSON.stringify({ message: 'x'.repeat(5_000) }));
    expect(details.message?.length).toBeLessThanOrEqual(501);
  });
});
