/**
 * Loading plan for contacts. One GET per distinct id (bounded concurrency), unless the operation
 * needs so many contacts at once that reading the whole contact list costs at most a third as many
 * calls: then the list is scanned (at most `CONTACT_SCAN_MAX_PAGES` pages of 100) and whatever it
 * did not hold (deleted or blocked contacts, agents as requesters, contacts created meanwhile) is
 * loaded by id as before. The scan is per operation (contacts change too often to keep), but what it
 * learns of the list's size is remembered, so later scans read the known pages in one round trip,
 * and an account with more contacts than the cap is not scanned again. A scan also waits for the
 * contacts-list sub-limit (freshdesk-api.md section 5): when that budget has no room for it now,
 * the contacts load by id instead.
 */
import type DataLoader from 'dataloader';
import type { Context } from '../context.ts';
import { type ContactModel, getContact, listContacts } from '../upstream/contacts.ts';
import { byIdLoader } from './limit.ts';
import { knownListSize, scanAndLearn, scanPages } from './list-scan.ts';

/** Most pages of `GET /contacts` one scan reads (1,000 contacts). @default 10 */
export const CONTACT_SCAN_MAX_PAGES = 10;

/** A scan must cost at most 1/this of the by-id calls it replaces. @default 3 */
export const CONTACT_SCAN_ADVANTAGE = 3;

/** The reference-cache name of the contact list's learned size. */
export const CONTACT_LIST = 'contacts';

/**
 * Pages a contact scan would read for `wanted` distinct contacts (0: load them by id), given what is
 * known of the list's size and the credits left on the contacts-list sub-limit now (null or
 * undefined: not known, counted as room). Pure: the cost estimator applies the same rule.
 */
export function contactScanPages(
  size: ReturnType<typeof knownListSize>,
  wanted: number,
  listRemaining: number | null | undefined,
): number {
  const pages = scanPages(
    size,
    Math.min(CONTACT_SCAN_MAX_PAGES, Math.floor(wanted / CONTACT_SCAN_ADVANTAGE)),
  );
  const room = listRemaining === null || listRemaining === undefined || listRemaining >= pages;
  return room ? pages : 0;
}

/** Credits left on the contacts-list sub-limit now, as far as the gateway knows. */
async function listRemaining(ctx: Context): Promise<number | null | undefined> {
  const status = await ctx.quota.status();
  return status.budgets.find((b) => b.name === 'contacts_list')?.remaining;
}

/** The contacts a scan found, by id; undefined when no scan is worth it. */
async function scanContacts(
  ctx: Context,
  wanted: number,
): Promise<Map<string, ContactModel> | undefined> {
  const size = knownListSize(ctx.shared, CONTACT_LIST);
  // Most batches are too small for a scan: settle that before asking the quota for its budgets.
  if (contactScanPages(size, wanted, undefined) === 0) {
    return undefined;
  }
  const pages = contactScanPages(size, wanted, await listRemaining(ctx));
  if (pages === 0) {
    return undefined;
  }
  const scan = await scanAndLearn(
    ctx,
    CONTACT_LIST,
    async (params) => {
      const { contacts, nextPage } = await listContacts(ctx.freshdesk, params);
      return { items: contacts, nextPage };
    },
    pages,
  );
  return new Map(scan.items.map((contact) => [contact.id, contact]));
}

/**
 * Contacts for this operation: each id loaded once, from a scan of the contact list when the batch
 * is large enough to pay for it, else (and for what the scan missed) one GET per id, at most
 * through the operation's limiter. A failed scan falls back to loading by id.
 */
export const contactLoader = (ctx: Context): DataLoader<string, ContactModel> =>
  byIdLoader(ctx, 'contact', (id) => getContact(ctx.freshdesk, id), {
    lookup: (ids) => scanContacts(ctx, ids.length),
  });
