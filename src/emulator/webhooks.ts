/**
 * Webhook rules like Freshdesk automation rules (freshdesk-api.md section 7).
 * STUB: replaced by the real implementation.
 */
import type { TicketEvent } from './http.ts';
import type { EmulatorData } from './records.ts';

export interface WebhookRuleInput {
  /** Which events fire the rule. */
  events: TicketEvent['kind'][];
  url: string;
  /** @default 'POST' */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** Basic auth: username+password, or an API key sent with password `X`. */
  auth?: { username: string; password: string } | { apiKey: string };
  /** @default 'json' */
  encoding?: 'json' | 'xml' | 'form';
  /** simple: ticked fields under `freshdesk_webhook`; advanced: `template` with {{placeholders}}. @default 'simple' */
  layout?: 'simple' | 'advanced';
  /** For the simple layout: which placeholders to send (default: a useful set). */
  fields?: string[];
  /** For the advanced layout: the body template with Liquid-like placeholders. */
  template?: string;
}

export interface WebhookRule extends WebhookRuleInput {
  id: number;
}

export interface WebhookDelivery {
  ruleId: number;
  event: TicketEvent['kind'];
  ticketId: number;
  url: string;
  status: number | null; // null: no answer (timeout, refused)
  attempt: number;
  at: string;
  error?: string;
}

export interface Webhooks {
  addRule(input: WebhookRuleInput): WebhookRule;
  rules(): WebhookRule[];
  removeRule(id: number): boolean;
  /** Called for every ticket event; sends matching rules' requests in the background. */
  handle(event: TicketEvent): void;
  deliveries(): WebhookDelivery[];
  /** Resolves when every delivery under way has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createWebhooks(_options: {
  data: EmulatorData;
  now: () => number;
  /** For `{{ticket.url}}`: e.g. `http://127.0.0.1:8085`. */
  helpdeskOrigin: () => string;
  helpdeskName?: string;
}): Webhooks {
  throw new Error('not implemented');
}
