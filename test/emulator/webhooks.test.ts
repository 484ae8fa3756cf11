import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isoSeconds } from '../../src/emulator/http.ts';
import type { EmulatorData, TicketRecord } from '../../src/emulator/records.ts';
import { seedData } from '../../src/emulator/seed.ts';
import {
  createWebhooks,
  triggeredEvent,
  type WebhookScheduler,
  type Webhooks,
  type WebhooksOptions,
} from '../../src/emulator/webhooks.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real receiver on 127.0.0.1: records requests and answers with `respond` (default 200). */
let server: Server;
let base: string;
let received: Received[] = [];
type Responder = (
  req: Received,
  n: number,
) => { status: number; headers?: Record<string, string>; delayMs?: number };
let respond: Responder = () => ({ status: 200 });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      const answer = respond(entry, received.length);
      const send = (): void => {
        if (!res.destroyed) {
          res.writeHead(answer.status, answer.headers ?? {});
          res.end('ok');
        }
      };
      if (answer.delayMs) {
        setTimeout(send, answer.delayMs);
      } else {
        send();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let data: EmulatorData;
let ticket: TicketRecord;
let hooks: Webhooks[] = [];

function webhooks(options: Partial<WebhooksOptions> = {}): Webhooks {
  const created = createWebhooks({
    data,
    now: () => NOW,
    helpdeskOrigin: () => 'http://127.0.0.1:8085',
    helpdeskName: 'Acme "Support"',
    retryDelaysMs: [10, 20, 30],
    ...options,
  });
  hooks.push(created);
  return created;
}

/** A ticket with every placeholder filled and awkward characters in its subject. */
function prepare(): void {
  data = seedData({ now: NOW, tickets: 40 });
  const found = [...data.tickets.values()].find(
    (t) =>
      t.responder_id !== null &&
      t.group_id !== null &&
      t.company_id !== null &&
      data.contacts.get(t.requester_id)?.email !== null,
  )!;
  found.subject = 'Refund "now" & <fast> \\ ümlaut\nsecond line';
  found.status = 6;
  found.priority = 3;
  found.tags = ['billing', 'vip'];
  found.custom_fields.cf_plan = 'Pro';
  data.conversations.set(found.id, [
    {
      ...conversation(found.id),
      id: 60_000_000_001,
      body_text: 'public reply',
      private: false,
    },
    { ...conversation(found.id), id: 60_000_000_002, body_text: 'secret note', private: true },
  ]);
  ticket = found;
}

function conversation(ticketId: number) {
  return {
    id: 0,
    body: '<div>x</div>',
    body_text: 'x',
    incoming: false,
    private: false,
    user_id: 1,
    support_email: null,
    source: 2,
    ticket_id: ticketId,
    to_emails: [],
    from_email: null,
    cc_emails: [],
    bcc_emails: [],
    attachments: [],
    created_at: '2026-02-01T00:00:00Z',
    updated_at: '2026-02-01T00:00:00Z',
    last_edited_at: null,
    last_edited_user_id: null,
  };
}

prepare();

afterEach(async () => {
  await Promise.all(hooks.map((h) => h.close()));
  hooks = [];
  received = [];
  respond = () => ({ status: 200 });
  prepare();
});

describe('payloads', () => {
  it('sends the simple layout as JSON under freshdesk_webhook, values as strings and labels', async () => {
    const wh = webhooks();
    wh.addRule({ events: ['ticket_created'], url: `${base}/hook` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/hook');
    const requester = data.contacts.get(ticket.requester_id)!;
    expect(JSON.parse(request!.body)).toEqual({
      freshdesk_webhook: {
        triggered_event: '{ticket_action:created}',
        ticket_id: String(ticket.id),
        ticket_url: `http://127.0.0.1:8085/helpdesk/tickets/${ticket.id}`,
        ticket_type: ticket.type ?? '',
        ticket_subject: ticket.subject,
        ticket_description: ticket.description,
        ticket_status: 'Waiting on Customer',
        ticket_priority: 'High',
        requester_name: requester.name,
        requester_email: requester.email,
      },
    });
  });

  it('sends only the chosen simple fields, including custom fields and people', async () => {
    const wh = webhooks();
    wh.addRule({
      events: ['ticket_created'],
      url: `${base}/hook`,
      fields: ['ticket_id', 'ticket_tags', 'ticket_cf_plan', 'agent_name', 'group_name'],
    });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(JSON.parse(received[0]!.body)).toEqual({
      freshdesk_webhook: {
        ticket_id: String(ticket.id),
        ticket_tags: 'billing, vip',
        ticket_cf_plan: 'Pro',
        agent_name: data.agents.get(ticket.responder_id!)!.contact.name,
        group_name: data.groups.get(ticket.group_id!)!.name,
      },
    });
  });

  it('renders an advanced JSON template, escaping values', async () => {
    const wh = webhooks();
    wh.addRule({
      events: ['ticket_updated'],
      url: `${base}/advanced`,
      layout: 'advanced',
      template: `{"id":{{ticket.id}},"subject":"{{ticket.subject}}","status":"{{ticket.status}}",
        "priority":"{{ ticket.priority }}","tags":"{{ticket.tags}}","email":"{{ticket.requester.email}}",
        "agent":"{{ticket.agent.name}}","group":"{{ticket.group.name}}","company":"{{ticket.company.name}}",
        "url":"{{ticket.url}}","public":"{{ticket.latest_public_comment}}",
        "private":"{{ticket.latest_private_comment}}","plan":"{{ticket.cf_plan}}",
        "event":"{{triggered_event}}","helpdesk":"{{helpdesk_name}}","unknown":"{{ticket.nope}}"}`,
    });
    wh.handle({
      kind: 'ticket_updated',
      ticketId: ticket.id,
      changes: { status: { from: 4, to: 6 }, priority: { from: 1, to: 3 } },
    });
    await wh.idle();
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received[0]!.body)).toEqual({
      id: ticket.id,
      subject: 'Refund "now" & <fast> \\ ümlaut\nsecond line',
      status: 'Waiting on Customer',
      priority: 'High',
      tags: 'billing, vip',
      email: data.contacts.get(ticket.requester_id)!.email,
      agent: data.agents.get(ticket.responder_id!)!.contact.name,
      group: data.groups.get(ticket.group_id!)!.name,
      company: data.companies.get(ticket.company_id!)!.name,
      url: `http://127.0.0.1:8085/helpdesk/tickets/${ticket.id}`,
      public: 'public reply',
      private: 'secret note',
      plan: 'Pro',
      event: '{status:{from:4,to:6}}',
      helpdesk: 'Acme "Support"',
      unknown: '',
    });
  });

  it('sends the simple layout form-encoded', async () => {
    const wh = webhooks();
    wh.addRule({
      events: ['ticket_created'],
      url: `${base}/form`,
      encoding: 'form',
      fields: ['ticket_id', 'ticket_subject', 'ticket_status'],
    });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(received[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(received[0]!.body);
    expect([...form.entries()]).toEqual([
      ['freshdesk_webhook[ticket_id]', String(ticket.id)],
      ['freshdesk_webhook[ticket_subject]', ticket.subject],
      ['freshdesk_webhook[ticket_status]', 'Waiting on Customer'],
    ]);
  });

  it('URL-encodes values in an advanced form template', async () => {
    const wh = webhooks();
    wh.addRule({
      events: ['ticket_created'],
      url: `${base}/form`,
      encoding: 'form',
      layout: 'advanced',
      template: 'id={{ticket.id}}&subject={{ticket.subject}}&status={{ticket.status}}',
    });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    const form = new URLSearchParams(received[0]!.body);
    expect(form.get('id')).toBe(String(ticket.id));
    expect(form.get('subject')).toBe(ticket.subject);
    expect(form.get('status')).toBe('Waiting on Customer');
  });

  it('sends XML with escaped values', async () => {
    const wh = webhooks();
    wh.addRule({
      events: ['ticket_created'],
      url: `${base}/xml`,
      encoding: 'xml',
      fields: ['ticket_id', 'ticket_subject'],
    });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(received[0]!.headers['content-type']).toBe('text/xml');
    expect(received[0]!.body).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><freshdesk_webhook><ticket_id>${ticket.id}</ticket_id>` +
        '<ticket_subject>Refund &quot;now&quot; &amp; &lt;fast&gt; \\ ümlaut\nsecond line</ticket_subject>' +
        '</freshdesk_webhook>',
    );
  });
});

describe('triggered_event', () => {
  it('names each event kind and only the first change', () => {
    expect(triggeredEvent({ kind: 'ticket_created', ticketId: 1 })).toBe('{ticket_action:created}');
    expect(
      triggeredEvent({ kind: 'note_added', ticketId: 1, conversationId: 2, private: true }),
    ).toBe('{note_type:private}');
    expect(
      triggeredEvent({ kind: 'note_added', ticketId: 1, conversationId: 2, private: false }),
    ).toBe('{note_type:public}');
    expect(triggeredEvent({ kind: 'reply_sent', ticketId: 1, conversationId: 2 })).toBe(
      '{reply_sent:sent}',
    );
    expect(
      triggeredEvent({
        kind: 'ticket_updated',
        ticketId: 1,
        changes: { priority: { from: 1, to: 4 }, status: { from: 2, to: 3 } },
      }),
    ).toBe('{priority:{from:1,to:4}}');
    expect(triggeredEvent({ kind: 'ticket_updated', ticketId: 1, changes: {} })).toBe(
      '{ticket_action:updated}',
    );
  });

  it('fires only the rules that chose the event', async () => {
    const wh = webhooks();
    wh.addRule({ events: ['note_added'], url: `${base}/notes`, fields: ['triggered_event'] });
    wh.addRule({ events: ['reply_sent'], url: `${base}/replies`, fields: ['triggered_event'] });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    wh.handle({ kind: 'note_added', ticketId: ticket.id, conversationId: 1, private: true });
    wh.handle({ kind: 'reply_sent', ticketId: ticket.id, conversationId: 2 });
    await wh.idle();
    const byUrl = Object.fromEntries(received.map((r) => [r.url, JSON.parse(r.body)]));
    expect(received).toHaveLength(2);
    expect(byUrl['/notes']).toEqual({
      freshdesk_webhook: { triggered_event: '{note_type:private}' },
    });
    expect(byUrl['/replies']).toEqual({
      freshdesk_webhook: { triggered_event: '{reply_sent:sent}' },
    });
  });
});

describe('request', () => {
  it('sends Freshdesk’s headers, Basic auth and custom headers', async () => {
    const wh = webhooks();
    wh.addRule({
      events: ['ticket_created'],
      url: `${base}/a`,
      auth: { username: 'zulip', password: 's3cret' },
      headers: { 'X-Webhook-Secret': 'abc' },
    });
    wh.addRule({ events: ['ticket_created'], url: `${base}/b`, auth: { apiKey: 'KEY123' } });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    const a = received.find((r) => r.url === '/a')!;
    const b = received.find((r) => r.url === '/b')!;
    expect(a.headers.accept).toBe('application/json');
    expect(a.headers['content-type']).toBe('application/json');
    expect(a.headers['user-agent']).toBe('Freshdesk');
    expect(a.headers['x-webhook-secret']).toBe('abc');
    expect(a.headers.authorization).toBe(`Basic ${Buffer.from('zulip:s3cret').toString('base64')}`);
    expect(b.headers.authorization).toBe(`Basic ${Buffer.from('KEY123:X').toString('base64')}`);
    expect(b.headers['x-webhook-secret']).toBeUndefined();
  });

  it('sends no Authorization without auth', async () => {
    const wh = webhooks();
    wh.addRule({ events: ['ticket_created'], url: `${base}/a` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(received[0]!.headers.authorization).toBeUndefined();
  });

  it('URL-encodes placeholders in the URL and honours the method', async () => {
    const wh = webhooks();
    wh.addRule({
      events: ['ticket_created'],
      url: `${base}/t/{{ticket.id}}/{{ticket.requester.email}}?s={{ticket.subject}}&st={{ticket.status}}`,
      method: 'PUT',
    });
    wh.addRule({ events: ['ticket_created'], url: `${base}/get?id={{ticket.id}}`, method: 'GET' });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    const email = data.contacts.get(ticket.requester_id)!.email!;
    const put = received.find((r) => r.method === 'PUT')!;
    expect(put.url).toBe(
      `/t/${ticket.id}/${encodeURIComponent(email)}?s=${encodeURIComponent(ticket.subject)}&st=Waiting%20on%20Customer`,
    );
    const url = new URL(put.url, base);
    expect(url.searchParams.get('s')).toBe(ticket.subject);
    const get = received.find((r) => r.method === 'GET')!;
    expect(get.url).toBe(`/get?id=${ticket.id}`);
    expect(get.body).toBe('');
  });

  it('records each attempt on the injected clock', async () => {
    const wh = webhooks({ now: () => NOW + 5_000 });
    const rule = wh.addRule({ events: ['ticket_created'], url: `${base}/a` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(wh.deliveries()).toEqual([
      {
        ruleId: rule.id,
        event: 'ticket_created',
        ticketId: ticket.id,
        url: `${base}/a`,
        status: 200,
        attempt: 1,
        at: isoSeconds(NOW + 5_000),
        outcome: 'success',
      },
    ]);
  });
});

describe('retries', () => {
  it('retries a 500 and stops at the first 2xx, resending the same payload', async () => {
    respond = (_req, n) => ({ status: n < 3 ? 500 : 204 });
    const wh = webhooks();
    wh.addRule({ events: ['ticket_created'], url: `${base}/flaky` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(wh.deliveries().map((d) => [d.attempt, d.status, d.outcome])).toEqual([
      [1, 500, 'retrying'],
      [2, 500, 'retrying'],
      [3, 204, 'success'],
    ]);
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
  });

  it('gives up after 3 retries', async () => {
    respond = () => ({ status: 503 });
    const wh = webhooks();
    wh.addRule({ events: ['ticket_created'], url: `${base}/down` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(wh.deliveries().map((d) => [d.attempt, d.outcome])).toEqual([
      [1, 'retrying'],
      [2, 'retrying'],
      [3, 'retrying'],
      [4, 'failed'],
    ]);
  });

  it('drops a 3xx without following or retrying it', async () => {
    respond = (req) =>
      req.url === '/moved'
        ? { status: 302, headers: { Location: `${base}/elsewhere` } }
        : { status: 200 };
    const wh = webhooks();
    wh.addRule({ events: ['ticket_created'], url: `${base}/moved` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(received.map((r) => r.url)).toEqual(['/moved']);
    expect(wh.deliveries().map((d) => [d.status, d.outcome])).toEqual([[302, 'dropped']]);
  });

  it('treats a slow receiver as a timeout and retries', async () => {
    respond = (_req, n) => ({ status: 200, delayMs: n === 1 ? 1_000 : 0 });
    const wh = webhooks({ timeoutMs: 100 });
    wh.addRule({ events: ['ticket_created'], url: `${base}/slow` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    const [first, second] = wh.deliveries();
    expect(first).toMatchObject({
      attempt: 1,
      status: null,
      error: 'timeout',
      outcome: 'retrying',
    });
    expect(second).toMatchObject({ attempt: 2, status: 200, outcome: 'success' });
  });

  it('retries when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const wh = webhooks({ retryDelaysMs: [5] });
    wh.addRule({ events: ['ticket_created'], url: `http://127.0.0.1:${port}/gone` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    const deliveries = wh.deliveries();
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]!.status).toBeNull();
    expect(deliveries[0]!.error).toMatch(/ECONNREFUSED/);
    expect(deliveries[1]!.outcome).toBe('failed');
  });

  it('schedules retries at +5, +30 and +60 minutes by default', async () => {
    respond = () => ({ status: 500 });
    const timers: { fn: () => void; ms: number }[] = [];
    const scheduler: WebhookScheduler = {
      setTimeout: (fn, ms) => {
        timers.push({ fn, ms });
        return timers.length;
      },
      clearTimeout: () => {},
    };
    const wh = webhooks({ retryDelaysMs: undefined, scheduler });
    wh.addRule({ events: ['ticket_created'], url: `${base}/x` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    for (let i = 0; i < 3; i++) {
      await waitFor(() => timers.length === i + 1);
      timers[i]!.fn();
    }
    await wh.idle();
    expect(timers.map((t) => t.ms)).toEqual([300_000, 1_800_000, 3_600_000]);
    expect(received).toHaveLength(4);
  });

  it('close() cancels pending retries', async () => {
    respond = () => ({ status: 500 });
    const wh = webhooks({ retryDelaysMs: [60_000] });
    wh.addRule({ events: ['ticket_created'], url: `${base}/x` });
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await waitFor(() => wh.deliveries().length === 1);
    await wh.close();
    await wh.idle();
    expect(received).toHaveLength(1);
    wh.handle({ kind: 'ticket_created', ticketId: ticket.id });
    await wh.idle();
    expect(received).toHaveLength(1);
  });
});

describe('rules and robustness', () => {
  it('adds, lists and removes rules', () => {
    const wh = webhooks();
    const rule = wh.addRule({ events: ['ticket_created'], url: `${base}/a` });
    expect(rule).toMatchObject({ id: 1, method: 'POST', encoding: 'json', layout: 'simple' });
    expect(wh.rules()).toHaveLength(1);
    expect(wh.removeRule(rule.id)).toBe(true);
    expect(wh.removeRule(rule.id)).toBe(false);
    expect(wh.rules()).toEqual([]);
  });

  it('refuses bad rules with a clear TypeError', () => {
    const wh = webhooks();
    expect(() => wh.addRule({ events: [], url: `${base}/a` })).toThrow(/events/);
    expect(() => wh.addRule({ events: ['ticket_created'], url: 'ftp://x' })).toThrow(/url/);
    expect(() =>
      wh.addRule({ events: ['ticket_created'], url: `${base}/a`, layout: 'advanced' }),
    ).toThrow(/template/);
  });

  it('never throws out of handle()', async () => {
    const wh = webhooks();
    wh.addRule({ events: ['ticket_created'], url: `${base}/a` });
    expect(() => wh.handle({ kind: 'ticket_created', ticketId: 999_999 })).not.toThrow();
    data.ticketFields = null as unknown as EmulatorData['ticketFields'];
    expect(() => wh.handle({ kind: 'ticket_created', ticketId: ticket.id })).not.toThrow();
    await wh.idle();
    expect(received).toHaveLength(0);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
