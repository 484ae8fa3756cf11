/**
 * The seam between the upstream client and quota shaping. The client asks the gate before every
 * call and reports every answer; the gate may make the call wait, or refuse it. `src/quota/` must not
 * import from the rest of the project except `upstream/credits.ts` types and `upstream/upstream-error.ts`.
 */
import type { MeteredEndpoint } from '../upstream/credits.ts';

/** Who is asking: bulk (BI) may only spend the budget above the reserve. */
export type Priority = 'interactive' | 'explorer' | 'bulk' | 'webhook';

export interface QuotaRequest {
  endpoint: MeteredEndpoint | undefined;
  credits: number;
  priority: Priority;
  /** Epoch ms by which the call must have started; the gate refuses rather than wait past it. */
  deadline: number;
  /**
   * The credential's hash (`credentialHash`), when the gate checks credentials: never the key.
   */
  credential?: string;
  /** For the refusal's error only (`GET`, `/api/v2/tickets`); never sent anywhere. */
  method?: string;
  path?: string;
}

export interface QuotaOutcome {
  status: number;
  /** Lower-cased response headers (`x-ratelimit-remaining`, `retry-after`...). */
  headers: Record<string, string | undefined>;
}

export interface QuotaGate {
  /** Resolves when the call may be sent; rejects with an UpstreamError of kind `quota` otherwise. */
  acquire(request: QuotaRequest, signal?: AbortSignal): Promise<void>;
  /** Every answer (429s included) passes through here, to reconcile the budget with Freshdesk's figures. */
  settle(request: QuotaRequest, outcome: QuotaOutcome): void;
}

/** No shaping at all: every call goes straight out. */
export const unlimitedQuota: QuotaGate = {
  acquire: async () => {},
  settle: () => {},
};
