/**
 * Ticket fields (freshdesk-api.md section 2.10). Readable by every agent who can create tickets,
 * so not admin-only; `type` filters by field type.
 */
import { fieldError, type Route } from '../http.ts';
import { notIncludedMessage } from './shared.ts';

/** The field types Freshdesk knows; other `type` values are refused like any bad choice. */
const FIELD_TYPES = [
  'default_requester',
  'default_subject',
  'default_ticket_type',
  'default_source',
  'default_status',
  'default_priority',
  'default_group',
  'default_agent',
  'default_product',
  'default_description',
  'default_company',
  'default_internal_group',
  'default_internal_agent',
  'custom_text',
  'custom_paragraph',
  'custom_checkbox',
  'custom_number',
  'custom_decimal',
  'custom_date',
  'custom_date_time',
  'custom_dropdown',
  'nested_field',
] as const;

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/ticket_fields',
    query: ['type'],
    handler: (req, ctx) => {
      const type = req.query.get('type');
      const fields = ctx.data.ticketFields;
      if (type === null) {
        return { status: 200, body: fields };
      }
      const known = new Set<string>([...FIELD_TYPES, ...fields.map((field) => field.type)]);
      if (!known.has(type)) {
        throw fieldError('type', notIncludedMessage([...known]));
      }
      return { status: 200, body: fields.filter((field) => field.type === type) };
    },
  },
];
