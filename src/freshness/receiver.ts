/**
 * `POST /webhooks/freshdesk`: where Freshdesk's automation rules deliver (freshdesk-api.md section 7).
 * Plain node:http, outside Yoga (a webhook is no GraphQL request, and no browser sends it).
 *
 * - The secret (`DESKGRAPH_WEBHOOK_SECRET`) must come as header `X-Webhook-Secret` or as the Basic
 *   auth password; compared in constant time; 401 otherwise, before the body is read (and not
 *   kept among the recent deliveries: only holders of the secret leave a trace).
 * - The body (JSON or form encoding, at most `MAX_WEBHOOK_BODY_BYTES`, read within
 *   `BODY_TIMEOUT_MS`) must name a ticket (`webhook-payload.ts`); 400 / 413 / 415 otherwise.
 * - Accepted work is queued and answered with 202 at once (Freshdesk gives up after 15 s); the
 *   look-up that follows is the sink's business. When the sink's queue is full: 503 + Retry-After
 *   (Freshdesk retries later).
 * - Every answer is JSON; every error is `{"error":{"code","message"}}`; a refused delivery changes
 *   nothing.
 *
 * `GET /webhooks/freshdesk`, with the same secret, answers the last deliveries received and the
 * sink's status (what `deskgraph webhooks status` shows).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { PayloadError, parseWebhookBody, type WebhookPayload } from './webhook-payload.ts';

export const WEBHOOK_PATH = '/webhooks/freshdesk';
/** Simple-layout bodies carry the ticket's description; 1 MiB is far above any real one. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
/** A body must arrive within this long once the headers have. */
export const BODY_TIMEOUT_MS = 10_000;
/** Deliveries remembered for `GET /webhooks/freshdesk`. */
export const RECENT_DELIVERIES = 100;

export type DeliveryOutcome = 'queued' | 'event' | 'duplicate' | 'failed' | 'rejected';

/** One delivery as `GET /webhooks/freshdesk` reports it. */
export interface DeliveryRecord {
  /** ISO-8601, when it arrived. */
  at: string;
  /** What the gateway answered. */
  status: number;
  ticketId?: string;
  triggeredEvent?: string;
  /** queued (202, work pending), event (became event `eventId`), duplicate (already reported), failed (the look-up failed), rejected (4xx/5xx). */
  outcome: DeliveryOutcome;
  eventId?: string;
  /** Why it was rejected or failed. */
  error?: string;
}

export interface WebhookSink {
  /** Queues the work for one accepted delivery; false when the queue is full. Updates `record` later. */
  accept(payload: WebhookPayload, sightingKey: string, record: DeliveryRecord): boolean;
  /** Extra status for `GET /webhooks/freshdesk` (queue, sweep). */
  status(): Record<string, unknown>;
}

export interface WebhookReceiver {
  handle(req: IncomingMessage, res: ServerResponse): void;
  deliveries(): DeliveryRecord[];
}

export interface ReceiverOptions {
  secret: string;
  sink: WebhookSink;
  logger: Logger;
  now?: () => number;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function createWebhookReceiver(options: ReceiverOptions): WebhookReceiver {
  const { sink, logger } = options;
  const now = options.now ?? Date.now;
  const expected = digest(options.secret);
  const recent: DeliveryRecord[] = [];

  const remember = (record: DeliveryRecord): DeliveryRecord => {
    recent.push(record);
    if (recent.length > RECENT_DELIVERIES) {
      recent.shift();
    }
    return record;
  };

  /** Same-length digests, compared in constant time: neither the secret nor its length leaks. */
  const matches = (offered: string | undefined): boolean =>
    offered !== undefined && timingSafeEqual(digest(offered), expected);

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers['x-webhook-secret'];
    const offered = Array.isArray(header) ? header[0] : header;
    // Both checks always run, so the time taken does not say which form was tried.
    const byHeader = matches(offered);
    const byBasic = matches(basicPassword(req.headers.authorization));
    return byHeader || byBasic;
  };

  const reject = (
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
    record?: Partial<DeliveryRecord>,
  ): void => {
    if (record !== undefined) {
      remember({ at: iso(now()), status, outcome: 'rejected', error: message, ...record });
    }
    sendJson(res, status, { error: { code, message } }, headers);
  };

  return {
    deliveries: () => recent.map((record) => ({ ...record })),
    handle(req, res) {
      const method = req.method ?? 'GET';
      if (method !== 'POST' && method !== 'GET') {
        req.resume();
        reject(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use POST.`, {
          allow: 'GET, POST',
        });
        return;
      }
      if (!authorized(req)) {
        // Not read, not remembered: a caller without the secret changes nothing at all.
        req.resume();
        logger.debug('webhook request without the right secret', { method });
        reject(
          res,
          401,
          'UNAUTHENTICATED',
          'Missing or wrong webhook secret (header X-Webhook-Secret, or the Basic auth password).',
          { 'www-authenticate': 'Basic realm="deskgraph webhooks"' },
        );
        return;
      }
      if (method === 'GET') {
        req.resume();
        sendJson(res, 200, {
          deliveries: recent.map((r) => ({ ...r })).reverse(),
          ...sink.status(),
        });
        return;
      }
      readBody(req).then(
        (body) => {
          let payload: WebhookPayload;
          try {
            payload = parseWebhookBody(req.headers['content-type'], body);
          } catch (error) {
            if (error instanceof PayloadError) {
              const code = error.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
              reject(res, error.status, code, error.message, {}, {});
              return;
            }
            throw error;
          }
          const record: DeliveryRecord = {
            at: iso(now()),
            status: 202,
            ticketId: payload.ticketId,
            outcome: 'queued',
          };
          if (payload.triggeredEvent !== undefined) {
            record.triggeredEvent = payload.triggeredEvent;
          }
          const key = createHash('sha256').update(body).digest('base64url');
          if (!sink.accept(payload, key, record)) {
            reject(
              res,
              503,
              'SERVICE_UNAVAILABLE',
              'Too much webhook work is queued; retry later.',
              { 'retry-after': '60' },
              { ticketId: payload.ticketId },
            );
            return;
          }
          remember(record);
          sendJson(res, 202, { status: 'accepted', ticketId: payload.ticketId });
        },
        (error: unknown) => {
          if (error instanceof BodyError) {
            reject(res, error.status, error.code, error.message, {}, {});
            return;
          }
          logger.error('webhook delivery failed', { error });
          reject(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.', {}, {});
        },
      );
    },
  };
}

/** The password of a Basic `Authorization` header, if it is one. */
function basicPassword(header: string | undefined): string | undefined {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header) : null;
  if (!match) {
    return undefined;
  }
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

class BodyError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The whole body, bounded in size and time. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_WEBHOOK_BODY_BYTES) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (error) {
        // Stop receiving, but keep the socket so the answer still goes out.
        req.removeAllListeners('data');
        req.resume();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks));
      }
    };
    const timer = setTimeout(
      () =>
        finish(
          new BodyError(
            408,
            'REQUEST_TIMEOUT',
            `The body did not arrive within ${BODY_TIMEOUT_MS} ms.`,
          ),
        ),
      BODY_TIMEOUT_MS,
    );
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        finish(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(undefined));
    req.on('error', (error) => finish(error));
  });
}

const tooLarge = (): BodyError =>
  new BodyError(413, 'PAYLOAD_TOO_LARGE', `The body is over ${MAX_WEBHOOK_BODY_BYTES} bytes.`);

const iso = (ms: number): string => new Date(ms).toISOString();

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) {
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  res.end(text);
}
