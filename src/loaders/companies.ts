/**
 * Loading plan for companies. Most accounts have a few dozen companies: then the whole list (one
 * call per 100) answers every company a request needs, and is kept per credential like the agent
 * list. Whether the list is small is learned by reading it, at most as many pages as the batch
 * needs companies (so never more calls than loading them one by one) and never more than
 * `COMPANY_LIST_MAX_PAGES`; an account found to have more is remembered, and its companies load by
 * id (deduplicated, bounded concurrency) or come embedded in ticket calls (`include=company`).
 */
import type DataLoader from 'dataloader';
import type { Context } from '../context.ts';
import { type CompanyModel, getCompany, listCompanies } from '../upstream/companies.ts';
import { isHttpStatus } from '../upstream/upstream-error.ts';
import { byIdLoader } from './limit.ts';
import { knownListSize, rememberListSize, scanAndLearn, scanPages } from './list-scan.ts';
import {
  cachedReference,
  forgetReference,
  isReferenceCached,
  peekReference,
} from './reference-cache.ts';

/** Pages of `GET /companies` read to find out whether the list is small. @default 3 */
export const COMPANY_LIST_MAX_PAGES = 3;

/** The reference-cache key of the company list (and of its learned size). */
export const COMPANY_LIST = 'companies';

/**
 * The companies a scan read, by id; `complete` when that is every company of the account. Only a
 * complete directory is cached (for `REFERENCE_TTL_MS`, like the agent list).
 */
export interface CompanyDirectory {
  byId: Map<string, CompanyModel>;
  complete: boolean;
}

/**
 * Pages a company scan would read for `wanted` companies now: 0 when the list is cached (nothing to
 * read) or known to be too large. The estimator applies the same rule through `companyPlan`.
 */
export function companyPlan(
  cached: boolean,
  size: ReturnType<typeof knownListSize>,
  wanted: number,
): { directory: 'cached' | 'scan' | 'none'; pages: number } {
  if (cached) {
    return { directory: 'cached', pages: 0 };
  }
  const pages = scanPages(size, Math.min(COMPANY_LIST_MAX_PAGES, wanted));
  return pages > 0 ? { directory: 'scan', pages } : { directory: 'none', pages: 0 };
}

/** True when this credential's account is known to have too many companies to list. */
export function companyListTooLarge(shared: Map<string, unknown>): boolean {
  return (
    companyPlan(
      isReferenceCached(shared, COMPANY_LIST),
      knownListSize(shared, COMPANY_LIST),
      COMPANY_LIST_MAX_PAGES,
    ).directory === 'none'
  );
}

/**
 * The company list for this credential when it is cached or worth reading for `wanted` companies;
 * undefined when the account is known to have too many. A 403 (the key may not list companies) is
 * remembered as "too large", so those companies load by id with their own errors.
 */
export async function companyDirectory(
  ctx: Context,
  wanted: number,
): Promise<CompanyDirectory | undefined> {
  const cached = peekReference<CompanyDirectory>(ctx, COMPANY_LIST);
  if (cached) {
    return cached;
  }
  const { pages } = companyPlan(false, knownListSize(ctx.shared, COMPANY_LIST), wanted);
  if (pages === 0) {
    return undefined;
  }
  try {
    const directory = await cachedReference(
      ctx,
      COMPANY_LIST,
      async (session): Promise<CompanyDirectory> => {
        const scan = await scanAndLearn(
          ctx,
          COMPANY_LIST,
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
      forgetReference(ctx, COMPANY_LIST);
    }
    return directory;
  } catch (error) {
    if (isHttpStatus(error, 403)) {
      rememberListSize(ctx, COMPANY_LIST, { pages: COMPANY_LIST_MAX_PAGES, complete: false });
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
  if (!companyListTooLarge(ctx.shared)) {
    companyDirectory(ctx, wanted).catch(() => undefined);
  }
}

/**
 * Companies for this operation: from the company list when it answers, else one GET per id (a
 * failed list read falls back to those, where each company gets its own answer).
 */
export const companyLoader = (ctx: Context): DataLoader<string, CompanyModel> =>
  byIdLoader(ctx, 'company', (id) => getCompany(ctx.freshdesk, id), {
    lookup: async (ids) => (await companyDirectory(ctx, ids.length))?.byId,
  });
