/**
 * Companies, as the plan decides (`companyPlan`): most accounts have a few dozen, and then the
 * whole list (one call per 100) answers every company a request needs and is kept per credential
 * like the agent list. Whether the list is small is learned by reading it, at most as many pages as
 * the batch needs companies (so never more calls than loading them one by one) and never more than
 * `COMPANY_LIST_MAX_PAGES`; an account found to have more is remembered, and its companies load by
 * id (deduplicated, bounded concurrency) or come embedded in ticket calls (`include=company`).
 */
import type DataLoader from 'dataloader';
import { type Context, perRequest } from '../context.ts';
import { COMPANIES, type CompanyDirectory } from '../plan/entries.ts';
import { COMPANY_LIST_MAX_PAGES, companyPlan } from '../plan/rules.ts';
import { type CompanyModel, getCompany, listCompanies } from '../upstream/companies.ts';
import { isHttpStatus } from '../upstream/upstream-error.ts';
import { byIdSlot } from './limit.ts';
import { rememberListSize, scanAndLearn } from './list-scan.ts';
import { cachedReference, peekReference, planState } from './references.ts';

/**
 * The company list for this credential when it is cached or worth reading for `wanted` companies;
 * undefined when the account is known to have too many. A 403 (the key may not list companies) is
 * remembered as "too large", so those companies load by id with their own errors.
 */
export async function companyDirectory(
  ctx: Context,
  wanted: number,
): Promise<CompanyDirectory | undefined> {
  const cached = peekReference(ctx, COMPANIES);
  if (cached) {
    return cached;
  }
  const { pages } = companyPlan(planState(ctx), wanted);
  if (pages === 0) {
    return undefined;
  }
  try {
    const directory = await cachedReference(
      ctx,
      COMPANIES,
      async (session): Promise<CompanyDirectory> => {
        const scan = await scanAndLearn(
          ctx,
          'companies',
          async (params) => {
            const { companies, nextPage } = await listCompanies(session, params);
            return { items: companies, nextPage };
          },
          pages,
        );
        return { byId: new Map(scan.items.map((c) => [c.id, c])), complete: scan.complete };
      },
    );
    if (!directory.complete) {
      // Only a complete list is kept: a partial one serves this batch (and any sharing the load).
      ctx.shared.delete(COMPANIES);
    }
    return directory;
  } catch (error) {
    if (isHttpStatus(error, 403)) {
      rememberListSize(ctx, 'companies', { pages: COMPANY_LIST_MAX_PAGES, complete: false });
      return undefined;
    }
    throw error;
  }
}

/**
 * Starts reading the company list early (beside the ticket page that will name the companies), so
 * that it costs no extra round trip. Its failure is left to the resolvers that need it.
 */
export function prefetchCompanies(ctx: Context, wanted: number): void {
  companyDirectory(ctx, wanted).catch(() => undefined);
}

/**
 * Companies for this operation: from the company list when it answers, else one GET per id (a
 * failed list read falls back to those, where each company gets its own answer).
 */
export const companyLoader = (ctx: Context): DataLoader<string, CompanyModel> =>
  perRequest(ctx, COMPANY_BY_ID);

const COMPANY_BY_ID = byIdSlot(
  'company',
  (ctx, id) => getCompany(ctx.freshdesk, id),
  async (ctx, ids) => (await companyDirectory(ctx, ids.length))?.byId,
);
