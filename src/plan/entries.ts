/**
 * The names of what the gateway keeps per credential across operations, typed by what each holds.
 * Loaders store and read them (`src/loaders/credential-cache.ts`); the plan asks whether they are
 * there, and what they say (a list's size, an agent list refused to this key), to decide and cost
 * the calls of an operation. Reads within one operation are keyed by `requestKey`
 * (`src/upstream/request-key.ts`) instead.
 */
import type { AgentModel } from '../upstream/agents.ts';
import type { CompanyModel } from '../upstream/companies.ts';
import type { GroupModel } from '../upstream/groups.ts';
import type { SolutionCategoryModel, SolutionFolderModel } from '../upstream/solutions.ts';
import type { TicketFieldModel } from '../upstream/ticket-fields.ts';
import type { UpstreamError } from '../upstream/upstream-error.ts';

/** A shared cache entry's name, typed by its value (the type exists only for the compiler). */
export interface CacheEntry<T> {
  readonly name: string;
  /** Never set: carries `T`. */
  readonly value?: T;
}

const entry = <T>(name: string): CacheEntry<T> => ({ name });

/** A whole list by id, or the 403 that refused it (a plain agent may not list agents or groups). */
export interface Directory<T> {
  all: T[];
  byId: Map<string, T>;
  forbidden: UpstreamError | undefined;
}

/**
 * The companies a scan read, by id; `complete` when that is every company of the account. Only a
 * complete directory is kept.
 */
export interface CompanyDirectory {
  byId: Map<string, CompanyModel>;
  complete: boolean;
}

/**
 * A list's size as far as is known: exactly `pages` pages when `complete`, else more than `pages`
 * pages (a scan stopped there).
 */
export interface ListSize {
  pages: number;
  complete: boolean;
}

/** Every agent (all pages of `GET /agents`). */
export const AGENTS = entry<Directory<AgentModel>>('agents');
/** Every group (all pages of `GET /groups`). */
export const GROUPS = entry<Directory<GroupModel>>('groups');
/** The agent who owns the key (`GET /agents/me`). */
export const ME = entry<AgentModel>('agents:me');
/** The ticket fields (`GET /ticket_fields`). */
export const TICKET_FIELDS = entry<TicketFieldModel[]>('ticket-fields');
/** The company list, when small enough to read whole (`GET /companies`, at most 3 pages). */
export const COMPANIES = entry<CompanyDirectory>('companies');
/** Knowledge-base categories (`GET /solutions/categories`). */
export const CATEGORIES = entry<SolutionCategoryModel[]>('solutions:categories');
/** One category's folders (`GET /solutions/categories/:id/folders`). */
export const foldersOf = (categoryId: string): CacheEntry<SolutionFolderModel[]> =>
  entry(`solutions:folders:${categoryId}`);

/** Lists the plan scans whole when an operation needs many of their records. */
export type ScannedList = 'companies' | 'contacts';
/** What a scan learned of a list's size (kept longer than the lists themselves). */
export const sizeOf = (list: ScannedList): CacheEntry<ListSize> => entry(`${list}:size`);
