/**
 * Reads Freshdesk's four error body shapes (freshdesk-api.md section 6): validation
 * `{description, errors[]}`, request error `{code, message}`, base error `{message}`, and empty.
 * Anything else (an HTML 502 page, truncated JSON, a JSON array) yields no details rather than an
 * exception: a broken error body must never hide the status that came with it.
 */
import type { FieldErrorDetail } from './upstream-error.ts';

export interface ErrorBodyDetails {
  /** Which of the four shapes the body had (`unknown` for anything else). */
  shape: 'validation' | 'request' | 'base' | 'empty' | 'unknown';
  upstreamCode?: string;
  message?: string;
  fieldErrors?: FieldErrorDetail[];
}

/** Bodies longer than this are not parsed (error bodies are tiny; a huge one is a proxy page). */
const MAX_PARSED_LENGTH = 256 * 1024;
/** Upstream messages are echoed to clients; keep them short. */
const MAX_MESSAGE_LENGTH = 500;

export function parseErrorBody(text: string | undefined): ErrorBodyDetails {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') {
    return { shape: 'empty' };
  }
  if (trimmed.length > MAX_PARSED_LENGTH || !trimmed.startsWith('{')) {
    return { shape: 'unknown' };
  }
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    return { shape: 'unknown' };
  }
  if (!isRecord(body)) {
    return { shape: 'unknown' };
  }
  const message = shortString(body.message) ?? shortString(body.description);
  const code = shortString(body.code);
  if (Array.isArray(body.errors)) {
    const fieldErrors = body.errors.flatMap(toFieldError);
    return {
      shape: 'validation',
      ...(code === undefined ? {} : { upstreamCode: code }),
      ...(message === undefined ? {} : { message }),
      fieldErrors,
    };
  }
  if (code !== undefined) {
    return { shape: 'request', upstreamCode: code, ...(message === undefined ? {} : { message }) };
  }
  if (message !== undefined) {
    return { shape: 'base', message };
  }
  return { shape: 'unknown' };
}

function toFieldError(entry: unknown): FieldErrorDetail[] {
  if (typeof entry === 'string') {
    // Not Freshdesk's shape, but some proxies answer `{"errors":["..."]}`.
    return [{ field: '', message: entry.slice(0, MAX_MESSAGE_LENGTH), code: 'invalid_value' }];
  }
  if (!isRecord(entry)) {
    return [];
  }
  const nested = shortString(entry.nested_field);
  const detail: FieldErrorDetail = {
    field: nested && nested !== '' ? nested : (shortString(entry.field) ?? ''),
    message: shortString(entry.message) ?? '',
    code: shortString(entry.code) ?? 'invalid_value',
  };
  if (isRecord(entry.additional_info)) {
    detail.additionalInfo = entry.additional_info;
  }
  return [detail];
}

function shortString(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value.length > MAX_MESSAGE_LENGTH ? `${value.slice(0, MAX_MESSAGE_LENGTH)}…` : value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
