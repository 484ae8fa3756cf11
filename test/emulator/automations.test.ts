/**
 * The emulator's automation rules API (`/api/v2/automations/{1|3|4}/rules`) and the firing of their
 * webhook actions, over real sockets, against a recording receiver.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, withEmulator } from '../helpers/emulator.ts';

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let base: string;
let received: Received[] = [];
let answer = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(answer);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const emulator = withEmulator({
  tickets: 40,
  rateLimit: false,
  webhooks: { retryDelaysMs: [5, 5, 5] },
});

/** A webhook action as the fact sheet writes it (advanced JSON layout). */
const webhookAction = (path: string, extra: Record<string, unknown> = {}) => ({
  field_name: 'trigger_webhook',
  request_type: 'POST',
  content_type: 'JSON',
  content_layout: '2',
  url: `${base}${path}`,
  content: { ticket_id: '{{ticket.id}}', event: '{{triggered_event}}' },
  custom_headers: { 'x-webhook-secret': 's3cret' },
  ...extra,
});

const rule = (path: string, extra: Record<string, unknown> = {}) => ({
  name: `rule ${path}`,
  active: true,
  conditions: [],
  actions: [webhookAction(path)],
  ...extra,
});

const ANY_STATUS = [{ field_name: 'status', from: '--', to: '--' }];

/** Removes every rule, so each test starts from an account without automations. */
async function clearRules(): Promise<void> {
  for (const type of [1, 3, 4] as const) {
    for (const existing of emulator.current.automations.list(type)) {
      emulator.current.automations.remove(type, existing.id);
    }
  }
}

beforeEach(async () => {
  await emulator.current.webhooks?.idle();
  await clearRules();
  received = [];
  answer = 200;
});

/** A ticket that can be written. */
const liveTicket = (n = 0) =>
  [...emulator.current.data.tickets.values()].filter((t) => !t.deleted && !t.spam)[n]!;

async function settle(): Promise<void> {
  await emulator.current.webhooks!.idle();
}

describe('the rules API', () => {
  it('creates, lists, shows, updates and deletes a rule', async () => {
    const created = await api<Record<string, unknown>>(
      emulator.current,
      'POST',
      '/automations/4/rules',
      {
        body: rule('/a', { performer: { type: 1 }, events: ANY_STATUS }),
      },
    );
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect(created.headers.location).toMatch(new RegExp(`/api/v2/automations/4/rules/${id}$`));
    expect(created.body).toMatchObject({
      name: 'rule /a',
      active: true,
      automation_type_id: 4,
      performer: { type: 1 },
      events: ANY_STATUS,
      conditions: [],
      outdated: false,
      last_updated_by: emulator.current.data.apiKeys.get(emulator.current.apiKeys.admin),
    });
    expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const list = await api<Record<string, unknown>[]>(
      emulator.current,
      'GET',
      '/automations/4/rules',
    );
    expect(list.status).toBe(200);
    expect(list.body.map((r) => r.id)).toEqual([id]);
    expect((await api(emulator.current, 'GET', '/automations/1/rules')).body).toEqual([]);
    expect((await api(emulator.current, 'GET', `/automations/4/rules/${id}`)).body).toEqual(
      created.body,
    );
    // The id belongs to type 4 only.
    expect((await api(emulator.current, 'GET', `/automations/1/rules/${id}`)).status).toBe(404);

    const updated = await api<Record<string, unknown>>(
      emulator.current,
      'PUT',
      `/automations/4/rules/${id}`,
      {
        body: { name: 'renamed', active: false },
      },
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, name: 'renamed', active: false, events: ANY_STATUS });

    expect((await api(emulator.current, 'DELETE', `/automations/4/rules/${id}`)).status).toBe(204);
    expect((await api(emulator.current, 'GET', `/automations/4/rules/${id}`)).status).toBe(404);
    expect((await api(emulator.current, 'DELETE', `/automations/4/rules/${id}`)).status).toBe(404);
  });

  it('pages the list with per_page and Link', async () => {
    for (const name of ['one', 'two', 'three']) {
      await api(emulator.current, 'POST', '/automations/1/rules', { body: rule(`/${name}`) });
    }
    const first = await api<Record<string, unknown>[]>(
      emulator.current,
      'GET',
      '/automations/1/rules?per_page=2',
    );
    expect(first.body.map((r) => r.name)).toEqual(['rule /one', 'rule /two']);
    expect(first.headers.link).toMatch(/[?&]page=2.*rel="next"/);
    const second = await api<Record<string, unknown>[]>(
      emulator.current,
      'GET',
      '/automations/1/rules?per_page=2&page=2',
    );
    expect(second.body.map((r) => r.name)).toEqual(['rule /three']);
    expect(second.headers.link).toBeUndefined();
    expect((await api(emulator.current, 'GET', '/automations/1/rules?per_page=101')).status).toBe(
      400,
    );
  });

  it('is for admins only (403 access_denied)', async () => {
    for (const [method, path] of [
      ['GET', '/automations/4/rules'],
      ['POST', '/automations/4/rules'],
    ] as const) {
      const denied = await api(emulator.current, method, path, {
        key: emulator.current.apiKeys.agent,
        body: rule('/x'),
      });
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({
        code: 'access_denied',
        message: 'You are not authorized to perform this action.',
      });
    }
    expect(emulator.current.automations.list(4)).toEqual([]);
  });

  it('checks bodies as strictly as Freshdesk, listing every problem', async () => {
    const missing = await api<{ errors: { field: string; code: string }[] }>(
      emulator.current,
      'POST',
      '/automations/1/rules',
      { body: { active: true } },
    );
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e) => [e.field, e.code])).toEqual([
      ['name', 'missing_field'],
      ['conditions', 'missing_field'],
      ['actions', 'missing_field'],
    ]);
    const creationWithEvents = await api<{ errors: { field: string; code: string }[] }>(
      emulator.current,
      'POST',
      '/automations/1/rules',
      { body: rule('/x', { performer: { type: 1 }, events: ANY_STATUS }) },
    );
    expect(creationWithEvents.body.errors.map((e) => [e.field, e.code])).toEqual([
      ['performer', 'invalid_field'],
      ['events', 'invalid_field'],
    ]);
    const unknown = await api<{ errors: { field: string; code: string }[] }>(
      emulator.current,
      'POST',
      '/automations/4/rules',
      { body: rule('/x', { color: 'red' }) },
    );
    expect(unknown.body.errors).toEqual([
      { field: 'color', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
    ]);
    const badAction = await api<{ errors: { field: string; message: string }[] }>(
      emulator.current,
      'POST',
      '/automations/4/rules',
      { body: rule('/x', { actions: [webhookAction('/x', { content_type: undefined })] }) },
    );
    expect(badAction.status).toBe(400);
    expect(badAction.body.errors[0]).toMatchObject({ field: 'actions[0]' });
    expect(badAction.body.errors[0]!.message).toMatch(/content_type/);
    expect((await api(emulator.current, 'GET', '/automations/2/rules')).status).toBe(404);
    expect((await api(emulator.current, 'GET', '/automations/x/rules')).status).toBe(404);
    const created = await api<{ id: number }>(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/y'),
    });
    const empty = await api(emulator.current, 'PUT', `/automations/4/rules/${created.body.id}`, {
      body: {},
    });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ code: 'missing_params' });
    expect(emulator.current.automations.list(1)).toEqual([]);
  });
});

describe('firing', () => {
  it('a ticket-creation rule fires on every new ticket, rendering its content and headers', async () => {
    await api(emulator.current, 'POST', '/automations/1/rules', { body: rule('/created') });
    const requester = [...emulator.current.data.contacts.values()].find((c) => c.email)!;
    const ticket = await api<{ id: number }>(emulator.current, 'POST', '/tickets', {
      body: { subject: 'New', description: 'x', email: requester.email },
    });
    await settle();
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('/created');
    expect(received[0]!.headers).toMatchObject({
      'x-webhook-secret': 's3cret',
      'content-type': 'application/json',
      'user-agent': 'Freshdesk',
    });
    expect(JSON.parse(received[0]!.body)).toEqual({
      ticket_id: String(ticket.body.id),
      event: '{ticket_action:created}',
    });
  });

  it('a ticket-update rule fires for its events only, with the change in triggered_event', async () => {
    await api(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/status', {
        performer: { type: 3 },
        events: [{ field_name: 'status', from: '--', to: 5 }],
      }),
    });
    const ticket = liveTicket(1);
    const from = ticket.status === 5 ? 2 : ticket.status;
    await api(emulator.current, 'PUT', `/tickets/${ticket.id}`, { body: { status: from } });
    await api(emulator.current, 'PUT', `/tickets/${ticket.id}`, { body: { subject: 'only this' } });
    await api(emulator.current, 'PUT', `/tickets/${ticket.id}`, { body: { status: 5 } });
    await settle();
    expect(received.map((r) => JSON.parse(r.body))).toEqual([
      { ticket_id: String(ticket.id), event: `{status:{from:${from},to:5}}` },
    ]);
  });

  it('note_type, reply_sent and ticket_action events', async () => {
    await api(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/private', { events: [{ field_name: 'note_type', value: 'private' }] }),
    });
    await api(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/reply', { events: [{ field_name: 'reply_sent' }] }),
    });
    await api(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/any-update', { events: [{ field_name: 'ticket_action', value: 'update' }] }),
    });
    const ticket = liveTicket(2);
    await api(emulator.current, 'POST', `/tickets/${ticket.id}/notes`, {
      body: { body: 'public', private: false },
    });
    await api(emulator.current, 'POST', `/tickets/${ticket.id}/notes`, {
      body: { body: 'secret' },
    });
    await api(emulator.current, 'POST', `/tickets/${ticket.id}/reply`, { body: { body: 'hi' } });
    await api(emulator.current, 'PUT', `/tickets/${ticket.id}`, { body: { subject: 'edited' } });
    await settle();
    expect(received.map((r) => r.url)).toEqual(['/private', '/reply', '/any-update']);
    expect(JSON.parse(received[0]!.body).event).toBe('{note_type:private}');
  });

  it('the performer must match; inactive rules and hourly rules never fire', async () => {
    const otherAgent = [...emulator.current.data.agents.values()].find(
      (a) => a.id !== emulator.current.data.apiKeys.get(emulator.current.apiKeys.admin),
    )!;
    await api(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/someone-else', {
        performer: { type: 1, members: [otherAgent.id] },
        events: ANY_STATUS,
      }),
    });
    await api(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/requester', { performer: { type: 2 }, events: ANY_STATUS }),
    });
    await api(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/off', { active: false, events: ANY_STATUS }),
    });
    await api(emulator.current, 'POST', '/automations/3/rules', { body: rule('/hourly') });
    await api(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/agent', { performer: { type: 1 }, events: ANY_STATUS }),
    });
    const ticket = liveTicket(3);
    await api(emulator.current, 'PUT', `/tickets/${ticket.id}`, {
      body: { status: ticket.status === 4 ? 2 : 4 },
    });
    await settle();
    expect(received.map((r) => r.url)).toEqual(['/agent']);
  });

  it('form encoding, the simple layout and Basic auth, as configured', async () => {
    await api(emulator.current, 'POST', '/automations/1/rules', {
      body: rule('/form', {
        actions: [
          webhookAction('/form', {
            content_type: 'X-FORM-URLENCODED',
            content: { ticket: { id: '{{ticket.id}}' }, note: 'id is {{ticket.id}} & more' },
            auth_header: { username: 'fd', password: 'pw' },
          }),
          webhookAction('/simple', {
            content_layout: '1',
            content: ['ticket_id', 'ticket_status'],
          }),
        ],
      }),
    });
    const requester = [...emulator.current.data.contacts.values()].find((c) => c.email)!;
    const created = await api<{ id: number }>(emulator.current, 'POST', '/tickets', {
      body: { subject: 'Form', description: 'x', email: requester.email },
    });
    await settle();
    const form = received.find((r) => r.url === '/form')!;
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form.headers.authorization).toBe(`Basic ${Buffer.from('fd:pw').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(form.body))).toEqual({
      'ticket[id]': String(created.body.id),
      note: `id is ${created.body.id} & more`,
    });
    const simple = received.find((r) => r.url === '/simple')!;
    expect(JSON.parse(simple.body)).toEqual({
      freshdesk_webhook: { ticket_id: String(created.body.id), ticket_status: 'Open' },
    });
  });

  it('a rule whose webhook fails its last retry is deactivated, as for rules created over the API', async () => {
    answer = 500;
    const created = await api<{ id: number }>(emulator.current, 'POST', '/automations/4/rules', {
      body: rule('/failing', { events: ANY_STATUS }),
    });
    const ticket = liveTicket(4);
    await api(emulator.current, 'PUT', `/tickets/${ticket.id}`, {
      body: { status: ticket.status === 4 ? 2 : 4 },
    });
    await settle();
    expect(received).toHaveLength(4);
    const after = await api<{ active: boolean }>(
      emulator.current,
      'GET',
      `/automations/4/rules/${created.body.id}`,
    );
    expect(after.body.active).toBe(false);
    const deliveries = emulator.current
      .webhooks!.deliveries()
      .filter((d) => d.ruleId === created.body.id);
    expect(deliveries.map((d) => d.outcome)).toEqual([
      'retrying',
      'retrying',
      'retrying',
      'failed',
    ]);
  });
});
