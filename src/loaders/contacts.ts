/**
 * Contacts, as the plan decides (`contactScanPages`): one GET per distinct id (bounded
 * concurrency), unless the operation needs so many contacts at once that reading the whole contact
 * list costs at most a third as many calls: then the list is scanned (at most
 * `CONTACT_SCAN_MAX_PAGES` pages of 100) and whatever it did not hold (deleted or blocked contacts,
 * agents as requesters, contacts created meanwhile) is loaded by id as before. The scan is per
 * operation (contacts change too often to keep; its pages are read once per operation), but what
 * it learns of the list's size is remembered, so later scans read the known pages in one round
 * trip, and an account with more contacts than the cap is not scanned again. A scan also waits for
 * the contacts-list sub-limit (freshdesk-api.md section 5): when the operation's budget snapshot
 * shows no room for it, the contacts load by id instead.
 */
import type DataLoader from 'dataloader';
import { type Context, perRequest, slot } from '../context.ts';
import { contactScanPages } from '../plan/rules.ts';
import { type ContactModel, getContact, listContacts } from '../upstream/contacts.ts';
import { byIdSlot } from './limit.ts';
import { scanAndLearn } from './list-scan.ts';
import { planState } from './references.ts';

/** The scan this operation made, if any: later batches look there first (it costs nothing more). */
const SCANNED = slot<{ scan: Promise<Map<string, ContactModel>> | undefined }>(
  'contacts:scan',
  () => ({ scan: undefined }),
);

/**
 * The contacts a scan found, by id: the operation's earlier scan, or a new one when this batch is
 * large enough to pay for it; undefined when no scan is worth it.
 */
function scanContacts(
  ctx: Context,
  wanted: number,
): Promise<Map<string, ContactModel>> | undefined {
  const scanned = perRequest(ctx, SCANNED);
  if (scanned.scan === undefined) {
    const pages = contactScanPages(planState(ctx), wanted);
    if (pages > 0) {
      scanned.scan = readContacts(ctx, pages);
    }
  }
  return scanned.scan;
}

async function readContacts(ctx: Context, pages: number): Promise<Map<string, ContactModel>> {
  const scan = await scanAndLearn(
    ctx,
    'contacts',
    async (params) => {
      const { contacts, nextPage } = await listContacts(ctx.freshdesk, params);
      return { items: contacts, nextPage };
    },
    pages,
  );
  return new Map(scan.items.map((contact) => [contact.id, contact]));
}

const CONTACT_BY_ID = byIdSlot(
  'contact',
  (ctx, id) => getContact(ctx.freshdesk, id),
  async (ctx, ids) => scanContacts(ctx, ids.length),
);

/**
 * Contacts for this operation: each id loaded once, from a scan of the contact list when the batch
 * is large enough to pay for it, else (and for what the scan missed) one GET per id, at most
 * through the operation's limiter. A failed scan falls back to loading by id.
 */
export const contactLoader = (ctx: Context): DataLoader<string, ContactModel> =>
  perRequest(ctx, CONTACT_BY_ID);
