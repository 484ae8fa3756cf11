/**
 * Contact: a customer (ticket requester). Loaded through `contactLoader` (src/loaders/contacts.ts):
 * by id, deduplicated per request with bounded concurrency, or from a scan of the contact list when
 * one operation needs many; a `contacts` page primes the loader so no field fetches a contact the
 * page holds.
 * A partial source (the requester embedded in a ticket list) answers the fields it carries and
 * loads the full contact only for the others.
 */
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { companyLoader } from '../../loaders/companies.ts';
import { contactLoader } from '../../loaders/contacts.ts';
import { companyNeed } from '../../plan/rules.ts';
import { Selection } from '../../plan/selection.ts';
import { planWindow } from '../../plan/windows.ts';
import {
  type ContactListParams,
  type ContactModel,
  type ContactWrite,
  createContact,
  listContacts,
  updateContact,
} from '../../upstream/contacts.ts';
import {
  type ConnectionResult,
  encodeCursor,
  offsetAfter,
  readFirst,
  type Types,
} from '../connection.ts';
import { idArg, invalidInput } from '../field-errors.ts';
import { Company, Contact, ContactConnection, type ContactSource, isPartial } from '../refs.ts';
import { type ContactInput, contactWriteBody } from '../validation.ts';

/** The full contact behind a source (no call when the source is already full). */
const full = (ctx: Context, source: ContactSource): ContactModel | Promise<ContactModel> =>
  isPartial(source) ? contactLoader(ctx).load(source.id) : source;

type EmbeddedKey = 'name' | 'email' | 'mobile' | 'phone';

/** A field an embedded requester may carry: read it there, else from the full contact. */
function embedded<K extends EmbeddedKey>(
  ctx: Context,
  source: ContactSource,
  key: K,
): ContactModel[K] | Promise<ContactModel[K]> {
  if (isPartial(source)) {
    const value = source[key];
    if (value !== undefined) {
      return value as ContactModel[K];
    }
  }
  const contact = full(ctx, source);
  return contact instanceof Promise ? contact.then((c) => c[key]) : contact[key];
}

Contact.implement({
  description: 'A customer of the helpdesk: someone who raises tickets.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The contact's user id (a decimal string)." }),
    name: t.string({
      description: "The contact's name.",
      resolve: (c, _args, ctx) => embedded(ctx, c, 'name'),
    }),
    email: t.string({
      nullable: true,
      description: "The contact's primary e-mail address.",
      resolve: (c, _args, ctx) => embedded(ctx, c, 'email'),
    }),
    phone: t.string({
      nullable: true,
      description: "The contact's work phone number.",
      resolve: (c, _args, ctx) => embedded(ctx, c, 'phone'),
    }),
    mobile: t.string({
      nullable: true,
      description: "The contact's mobile number.",
      resolve: (c, _args, ctx) => embedded(ctx, c, 'mobile'),
    }),
    active: t.boolean({
      description: 'True once the contact has verified their address.',
      resolve: async (c, _args, ctx) => (await full(ctx, c)).active,
    }),
    companyId: t.id({
      nullable: true,
      description: "The primary company's id, without loading the company.",
      resolve: async (c, _args, ctx) => (await full(ctx, c)).companyId,
    }),
    company: t.field({
      type: Company,
      nullable: true,
      description: "The contact's primary company, if any.",
      resolve: async (c, _args, ctx, info) => {
        const { companyId } = await full(ctx, c);
        if (companyId === null) {
          return null;
        }
        return companyNeed(Selection.of(info)) === 'id'
          ? { partial: true as const, id: companyId }
          : companyLoader(ctx).load(companyId);
      },
    }),
    tags: t.stringList({
      description: "The contact's tags.",
      resolve: async (c, _args, ctx) => (await full(ctx, c)).tags,
    }),
    customFields: t.field({
      type: 'JSON',
      description: 'Custom contact field values keyed by field name (no `cf_` prefix).',
      resolve: async (c, _args, ctx) => (await full(ctx, c)).customFields,
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the contact was created (UTC).',
      resolve: async (c, _args, ctx) => (await full(ctx, c)).createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the contact was last changed (UTC).',
      resolve: async (c, _args, ctx) => (await full(ctx, c)).updatedAt,
    }),
  }),
});

builder.queryField('contact', (t) =>
  t.field({
    type: Contact,
    nullable: true,
    description: 'One contact by id; null (with a NOT_FOUND error) when there is no such contact.',
    args: { id: t.arg.id({ required: true, description: "The contact's id." }) },
    resolve: (_root, { id }, ctx) => contactLoader(ctx).load(idArg(id, 'A contact')),
  }),
);

export const ContactState = builder.enumType('ContactState', {
  description: "A contact's state, as Freshdesk's contact list filters it.",
  values: {
    VERIFIED: { value: 'verified', description: 'Verified contacts.' },
    UNVERIFIED: { value: 'unverified', description: 'Contacts yet to verify their address.' },
    BLOCKED: { value: 'blocked', description: 'Blocked contacts.' },
    DELETED: { value: 'deleted', description: 'Soft-deleted contacts.' },
  } as const,
});

export const ContactFilter = builder.inputType('ContactFilter', {
  description:
    'Narrows `contacts`; every field given must match. Without `state`, blocked and deleted contacts are left out.',
  fields: (t) => ({
    email: t.string({ description: 'Primary or other e-mail address (exact, case-insensitive).' }),
    phone: t.string({ description: 'Work phone number (exact).' }),
    mobile: t.string({ description: 'Mobile number (exact).' }),
    companyId: t.id({ description: 'Contacts of this company.' }),
    state: t.field({ type: ContactState, description: 'Only contacts in this state.' }),
    updatedSince: t.field({
      type: 'DateTime',
      description: 'Only contacts changed at or after this instant.',
    }),
  }),
});

builder.queryField('contacts', (t) =>
  t.field({
    type: ContactConnection,
    description: "Contacts in Freshdesk's alphabetical order, optionally filtered.",
    args: {
      first: t.arg.int({ description: 'Page size, 1..100 (default 30).' }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
      filter: t.arg({ type: ContactFilter, description: 'Which contacts to list.' }),
    },
    resolve: async (_root, args, ctx): Promise<ConnectionResult<ContactSource>> => {
      const first = readFirst(args.first);
      const offset = offsetAfter(args.after);
      const filter = args.filter ?? {};
      const params: Omit<ContactListParams, 'page' | 'per_page'> = {
        email: filter.email ?? undefined,
        phone: filter.phone ?? undefined,
        mobile: filter.mobile ?? undefined,
        company_id: filter.companyId != null ? idArg(filter.companyId, 'A company') : undefined,
        state: filter.state ?? undefined,
        updated_since: filter.updatedSince ?? undefined,
      };
      const plan = planWindow(offset, first);
      const collected: ContactModel[] = [];
      let more = false;
      for (const call of plan?.calls ?? []) {
        const result = await listContacts(ctx.freshdesk, {
          ...params,
          page: call.page,
          per_page: call.perPage,
        });
        collected.push(...result.contacts);
        more = result.nextPage !== undefined;
        if (!more) {
          break;
        }
      }
      const skip = plan?.skip ?? 0;
      const loader = contactLoader(ctx);
      for (const contact of collected) {
        loader.prime(contact.id, contact);
      }
      const slice = collected.slice(skip, skip + first);
      return {
        edges: slice.map((node, i) => ({ node, cursor: encodeCursor({ o: offset + i }) })),
        hasNextPage: collected.length > skip + first || (more && slice.length === first),
      };
    },
  }),
);

const contactInputFields = <T extends boolean>(
  t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>,
  create: T,
) => ({
  name: t.string({
    required: create,
    description: create
      ? "The contact's name (required)."
      : "The contact's name (cannot be blanked).",
  }),
  email: t.string({ description: 'Primary e-mail address; must be unique among users.' }),
  phone: t.string({ description: 'Work phone number.' }),
  mobile: t.string({ description: 'Mobile number.' }),
  companyId: t.id({ description: 'Primary company; Freshdesk checks that it exists.' }),
  tags: t.stringList({
    description: 'Tags (each at most 32 characters); replaces the current tags.',
  }),
  customFields: t.field({
    type: 'JSON',
    description:
      'Custom contact field values by field name (no `cf_` prefix); only the keys given change.',
  }),
});

export const CreateContactInput = builder.inputType('CreateContactInput', {
  description: 'A new contact: a name plus at least one of email, phone or mobile.',
  fields: (t) => contactInputFields(t, true),
});

export const UpdateContactInput = builder.inputType('UpdateContactInput', {
  description: 'Changes to a contact: only the fields given are sent; null clears a field.',
  fields: (t) => contactInputFields(t, false),
});

/** Validates like Freshdesk; throws BAD_USER_INPUT with `fieldErrors` before any call. */
function checkedBody(input: ContactInput, mode: 'create' | 'update'): ContactWrite {
  const { body, problems } = contactWriteBody(input, mode);
  if (problems.length > 0) {
    throw invalidInput('contact input', problems);
  }
  return body;
}

/** Makes the written contact the one this operation sees. */
function remember(ctx: Context, contact: ContactModel): ContactModel {
  contactLoader(ctx).clear(contact.id).prime(contact.id, contact);
  return contact;
}

builder.mutationField('createContact', (t) =>
  t.field({
    type: Contact,
    description:
      'Creates a contact. A duplicate e-mail fails with CONFLICT and `fieldErrors` naming `email`.',
    args: {
      input: t.arg({ type: CreateContactInput, required: true, description: 'The contact.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      remember(ctx, await createContact(ctx.freshdesk, checkedBody(input, 'create'))),
  }),
);

builder.mutationField('updateContact', (t) =>
  t.field({
    type: Contact,
    description:
      'Changes a contact. Blocked or deleted contacts cannot be changed (METHOD_NOT_ALLOWED).',
    args: {
      id: t.arg.id({ required: true, description: "The contact's id." }),
      input: t.arg({ type: UpdateContactInput, required: true, description: 'What to change.' }),
    },
    resolve: async (_root, { id, input }, ctx) =>
      remember(
        ctx,
        await updateContact(ctx.freshdesk, idArg(id, 'A contact'), checkedBody(input, 'update')),
      ),
  }),
);
