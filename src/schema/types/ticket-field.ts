/**
 * TicketField: the account's ticket field definitions, loaded whole and cached per credential for
 * a short TTL. Also exports what mutation validators need (statuses, types, custom field rules).
 */
import { builder } from '../../builder.ts';
import { loadTicketFields } from '../../loaders/ticket-fields.ts';
import { TicketField } from '../refs.ts';

const NestedTicketField = builder
  .objectRef<{ name: string; label: string; level: number }>('NestedTicketField')
  .implement({
    description: 'A dependent level of a nested ticket field (level 2 or 3).',
    fields: (t) => ({
      name: t.exposeString('name', { description: 'Its key under `customFields`.' }),
      label: t.exposeString('label', { description: 'Its label for agents.' }),
      level: t.exposeInt('level', { description: 'Its level: 2 or 3.' }),
    }),
  });

TicketField.implement({
  description: 'A ticket field of the account: a default one (status, type...) or a custom one.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The field's id (a decimal string)." }),
    name: t.exposeString('name', {
      description: "The field's name: the key under `customFields` for custom fields (`cf_...`).",
    }),
    label: t.exposeString('label', { description: "The field's label for agents." }),
    labelForCustomers: t.exposeString('labelForCustomers', {
      nullable: true,
      description: "The field's label in the customer portal.",
    }),
    type: t.exposeString('type', {
      description: 'Freshdesk field type: `default_status`, `custom_dropdown`, `nested_field`, ...',
    }),
    required: t.exposeBoolean('requiredForAgents', {
      description: 'True when agents must fill the field in.',
    }),
    requiredForClosure: t.exposeBoolean('requiredForClosure', {
      description: 'True when the field must be filled in to resolve or close a ticket.',
    }),
    position: t.exposeInt('position', { description: "The field's position in the form." }),
    choices: t.field({
      type: 'JSON',
      nullable: true,
      description:
        'Allowed values; the shape depends on `type`: a list (type, dropdown), `{label: code}` (source, priority), `{"code": [agentLabel, customerLabel]}` (status), or a tree (nested field).',
      resolve: (field) => field.choices,
    }),
    nestedFields: t.field({
      type: [NestedTicketField],
      description: 'For a nested field: its dependent levels, in order; empty otherwise.',
      resolve: (field) => field.nestedLevels,
    }),
  }),
});

builder.queryField('ticketFields', (t) =>
  t.field({
    type: [TicketField],
    description:
      "The account's ticket fields, in form order. Loaded whole and reused for a minute.",
    resolve: (_root, _args, ctx) => loadTicketFields(ctx),
  }),
);
