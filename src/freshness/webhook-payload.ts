/**
 * Reads a Freshdesk webhook body (freshdesk-api.md section 7) into the one thing the gateway needs:
 * which ticket changed (and Freshdesk's `triggered_event`, when sent).
 *
 * Accepted, in JSON (`application/json`) or form encoding (`application/x-www-form-urlencoded`,
 * Rails-style nesting `freshdesk_webhook[ticket_id]=11`):
 * - the simple layout: everything under `freshdesk_webhook`, values rendered as strings;
 * - advanced layouts carrying the ticket's id as `ticket_id`, `ticket.id` or `id`, at the top or
 *   under `freshdesk_webhook`, as a string or a number.
 * Anything else is a `PayloadError` (the receiver's 400 or 415), never a guess.
 */
import type { ChangeKind } from './change-feed.ts';

export interface WebhookPayload {
  ticketId: string;
  /** `{status:{from:4,to:6}}`, when the body carried `triggered_event`. */
  triggeredEvent: string | undefined;
}

export class PayloadError extends Error {
  /** 400 for a body that cannot be read, 415 for an encoding the receiver does not take. */
  readonly status: 400 | 415;
  constructor(status: 400 | 415, message: string) {
    super(message);
    this.name = 'PayloadError';
    this.status = status;
  }
}

/** Ticket display ids are small positive integers; 15 digits keeps them exact in JavaScript. */
const TICKET_ID = /^\s*(\d{1,15})\s*$/;
const MAX_TRIGGERED_EVENT = 500;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseWebhookBody(contentType: string | undefined, body: Buffer): WebhookPayload {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let root: unknown;
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      root = JSON.parse(body.toString('utf8'));
    } catch {
      throw new PayloadError(400, 'The body is not valid JSON.');
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    root = parseForm(body.toString('utf8'));
  } else {
    throw new PayloadError(
      415,
      `Content-Type ${type || '(none)'} is not accepted: set the webhook's encoding to JSON or X-FORM-URLENCODED.`,
    );
  }
  if (!isObject(root)) {
    throw new PayloadError(400, 'The body must be a JSON object (or form fields).');
  }
  const scopes = isObject(root.freshdesk_webhook) ? [root.freshdesk_webhook, root] : [root];
  const ticketId = findTicketId(scopes);
  const triggered = scopes.map((scope) => scope.triggered_event).find((v) => v !== undefined);
  if (triggered !== undefined && typeof triggered !== 'string') {
    throw new PayloadError(400, 'triggered_event must be a string such as {status:{from:2,to:3}}.');
  }
  const triggeredEvent =
    triggered === undefined || triggered.trim() === ''
      ? undefined
      : triggered.trim().slice(0, MAX_TRIGGERED_EVENT);
  return { ticketId, triggeredEvent };
}

/** The first of `ticket_id`, `ticket.id`, `ticket.ticket_id`, `id` present in the scopes, checked. */
function findTicketId(scopes: readonly Json[]): string {
  for (const scope of scopes) {
    const ticket = isObject(scope.ticket) ? scope.ticket : undefined;
    for (const [name, value] of [
      ['ticket_id', scope.ticket_id],
      ['ticket.id', ticket?.id],
      ['ticket.ticket_id', ticket?.ticket_id],
      ['id', scope.id],
    ] as const) {
      if (value !== undefined) {
        return ticketIdFrom(name, value);
      }
    }
  }
  throw new PayloadError(
    400,
    'No ticket id in the body: send ticket_id (or id, or ticket.id), e.g. {"ticket_id":"{{ticket.id}}"}.',
  );
}

function ticketIdFrom(name: string, value: unknown): string {
  const text = typeof value === 'number' ? String(value) : value;
  const match = typeof text === 'string' ? TICKET_ID.exec(text) : null;
  const id = match ? String(Number(match[1])) : undefined;
  if (id === undefined || id === '0') {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
    throw new PayloadError(400, `${name} must be a positive whole number; got ${shown}.`);
  }
  return id;
}

/**
 * `a[b][c]=v` → `{a:{b:{c:v}}}`; plain keys stay flat; later duplicates win. Objects have no
 * prototype, so a key such as `__proto__` is just a key.
 */
function parseForm(text: string): Json {
  const root: Json = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const path = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const names = path
      ? [path[1]!, ...[...path[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)]
      : [key];
    let node = root;
    for (const name of names.slice(0, -1)) {
      const next = Object.hasOwn(node, name) ? node[name] : undefined;
      if (isObject(next)) {
        node = next;
      } else {
        const child: Json = Object.create(null);
        node[name] = child;
        node = child;
      }
    }
    node[names[names.length - 1]!] = value;
  }
  return root;
}

/**
 * What Freshdesk's `triggered_event` pseudo-hash says happened: `{ticket_action:created}`,
 * `{note_type:private}`, `{reply_sent:sent}`, `{deleted:{from:false,to:true}}`,
 * `{spam:{from:false,to:true}}`; any other change (`{status:{from:4,to:6}}`) is an update, and so is
 * text that is not a pseudo-hash at all.
 */
export function kindFromTriggeredEvent(triggeredEvent: string | undefined): ChangeKind | undefined {
  if (triggeredEvent === undefined) {
    return undefined;
  }
  const match = /^\{\s*([a-z_]+)\s*:\s*(.*)\}$/is.exec(triggeredEvent.trim());
  if (!match) {
    return 'updated';
  }
  const key = match[1]!.toLowerCase();
  const value = match[2]!.replace(/\s+/g, '').toLowerCase();
  if (key === 'ticket_action') {
    return value.startsWith('created')
      ? 'created'
      : value.startsWith('delete')
        ? 'deleted'
        : value.includes('spam')
          ? 'spam'
          : 'updated';
  }
  if (key === 'note_type') {
    return 'note_added';
  }
  if (key === 'reply_sent') {
    return 'reply_sent';
  }
  if ((key === 'deleted' || key === 'spam') && value.endsWith('to:true}')) {
    return key;
  }
  return 'updated';
}
