/**
 * Reads Freshdesk's four error body shapes (freshdesk-api.md section 6): validation
 * `{description, errors[]}`, request error `{code, message}`, base error `{message}`, and empty.
 * Anything else (an HTML 502 page, truncated JSON) yields no details rather than an exception.
 */
import type { FieldErrorDetail } from './upstream-error.ts';

export interface ErrorBodyDetails {
  upstreamCode?: string;
  message?: string;
  fieldErrors?: FieldErrorDetail[];
}

export function parseErrorBody(text: string): ErrorBodyDetails {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (!isRecord(body)) {
    return {};
  }
  const details: ErrorBodyDetails = {};
  if (typeof body.code === 'string') {
    details.upstreamCode = body.code;
  }
  if (typeof body.message === 'string') {
    details.message = body.message;
  } else if (typeof body.description === 'string') {
    details.message = body.description;
  }
  if (Array.isArray(body.errors)) {
    details.fieldErrors = body.errors.filter(isRecord).map((e) => {
      const field =
        typeof e.nested_field === 'string' && e.nested_field !== ''
          ? e.nested_field
          : String(e.field ?? '');
      const detail: FieldErrorDetail = {
        field,
        message: String(e.message ?? ''),
        code: String(e.code ?? 'invalid_value'),
      };
      if (isRecord(e.additional_info)) {
        detail.additionalInfo = e.additional_info;
      }
      return detail;
    });
  }
  return details;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
