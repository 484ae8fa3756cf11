/**
 * The emulator's shared request checks over a real socket, in Freshdesk's order: auth, Accept,
 * Content-Type, encoding, JSON, routing (404/405), strict query parameters, admin role; common
 * headers; and the 500 for handler bugs. Also the CLI's flag parsing.
 */
import { describe, expect, it } from 'vitest';
import { parseEmulatorArgs } from '../../src/emulator/cli.ts';
import type { Route } from '../../src/emulator/http.ts';
import type { TicketRecord } from '../../src/emulator/records.ts';
import { api, basicAuth, withEmulator } from '../helpers/emulator.ts';
import { TINY, tinyData } from '../helpers/tiny-data.ts';

const logged: string[] = [];
const extraRoutes: Route[] = [
  {
    method: 'GET',
    path: '/test/admin-only',
    admin: true,
    handler: () => ({ status: 200, body: {} }),
  },
  {
    method: 'GET',
    path: '/test/boom',
    handler: () => {
      throw new TypeError('handler bug');
    },
  },
];
const emu = withEmulator(() => ({
  data: tinyData(),
  rateLimit: false,
  extraRoutes,
  log: (line) => logged.push(line),
}));

describe('authentication', () => {
  it('401s without or with a wrong key, and costs nothing', async () => {
    for (const call of [{ key: null }, { key: 'wrong' }, { authorization: 'Bearer admin-key' }]) {
      const reply = await api(emu.current, 'GET', '/tickets', call);
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({
        code: 'invalid_credentials',
        message: 'You have to be logged in to perform this action.',
      });
      expect(reply.headers['x-ratelimit-total']).toBeUndefined();
    }
  });

  it('takes the API key as user name with any password, or an agent email and password', async () => {
    const anyPassword = await api(emu.current, 'GET', '/tickets/1', {
      authorization: basicAuth(TINY.keys.admin, 'whatever'),
    });
    expect(anyPassword.status).toBe(200);
    const email = await api(emu.current, 'GET', '/tickets/1', {
      authorization: basicAuth('ada@emulator.example', 'secret'),
    });
    expect(email.status).toBe(200);
    const noPassword = await api(emu.current, 'GET', '/tickets/1', {
      authorization: basicAuth('ada@emulator.example', ''),
    });
    expect(noPassword.status).toBe(401);
  });

  it('403s admin-only routes for plain agents', async () => {
    const agent = await api(emu.current, 'GET', '/test/admin-only', { key: TINY.keys.agent });
    expect(agent.status).toBe(403);
    expect(agent.body).toMatchObject({ code: 'access_denied' });
    expect((await api(emu.current, 'GET', '/test/admin-only')).status).toBe(200);
  });
});

describe('content negotiation and parsing', () => {
  it('406s an Accept without JSON, but takes */* and vnd.freshdesk', async () => {
    const reply = await api(emu.current, 'GET', '/tickets/1', {
      headers: { accept: 'application/xml' },
    });
    expect(reply.status).toBe(406);
    expect(reply.body).toEqual({
      code: 'invalid_accept_header',
      message: 'Accept header is set to application/xml. It should have application/json or */*',
    });
    for (const accept of ['*/*', 'application/json', 'application/vnd.freshdesk.v2']) {
      expect((await api(emu.current, 'GET', '/tickets/1', { headers: { accept } })).status).toBe(
        200,
      );
    }
  });

  it('415s a body that is not JSON, including one without a Content-Type', async () => {
    const xml = await api(emu.current, 'POST', '/tickets', {
      rawBody: '<ticket/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.status).toBe(415);
    expect(xml.body).toEqual({
      code: 'invalid_content_type',
      message:
        'Content-Type header is set to application/xml. It should be set to application/json',
    });
    const none = await api(emu.current, 'POST', '/tickets', { rawBody: '{"subject":"x"}' });
    expect(none.status).toBe(415);
    expect(none.body).toMatchObject({ code: 'invalid_content_type' });
    // A bodyless PUT is not checked.
    expect((await api(emu.current, 'PUT', `/tickets/${TINY.deletedTicketId}/restore`)).status).toBe(
      204,
    );
  });

  it('400s invalid JSON and non-object JSON', async () => {
    for (const rawBody of ['{"subject":', '[1,2]', '"text"', 'null']) {
      const reply = await api(emu.current, 'POST', '/tickets', {
        rawBody,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(reply.status, rawBody).toBe(400);
      expect(reply.body).toEqual({
        code: 'invalid_json',
        message: 'Request body has invalid json format',
      });
    }
  });

  it('400s a bad %-escape in the query', async () => {
    const reply = await api(emu.current, 'GET', '/tickets?email=a%zzb');
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code: 'invalid_encoding' });
  });
});

describe('routing', () => {
  it('404s unknown routes and non-numeric ids with an empty body and no version header', async () => {
    for (const path of ['/nothing', '/tickets/12abc', '/tickets/1/unknown']) {
      const reply = await api(emu.current, 'GET', path);
      expect(reply.status, path).toBe(404);
      expect(reply.text).toBe('');
      expect(reply.headers['x-freshdesk-api-version']).toBeUndefined();
    }
  });

  it('405s a known path with the wrong verb, with Allow and the base-error body', async () => {
    const reply = await api(emu.current, 'PUT', '/tickets', { body: { subject: 'x' } });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET, POST');
    expect(reply.body).toEqual({
      message: 'PUT method is not allowed. It should be one of these method(s): GET, POST',
    });
  });

  it('accepts a trailing slash', async () => {
    expect((await api(emu.current, 'GET', '/tickets/1/')).status).toBe(200);
  });

  it('lists every unknown query parameter', async () => {
    const reply = await api(emu.current, 'GET', '/tickets/1?a=1&b=2');
    expect(reply.body).toEqual({
      description: 'Validation failed',
      errors: [
        { field: 'a', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
        { field: 'b', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
      ],
    });
  });
});

describe('answers', () => {
  it('carry the version, a request id and JSON with charset', async () => {
    const reply = await api(emu.current, 'GET', '/tickets/1');
    expect(reply.headers['x-freshdesk-api-version']).toBe('latest=v2; requested=v2');
    expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const other = await api(emu.current, 'GET', '/tickets/1');
    expect(other.headers['x-request-id']).not.toBe(reply.headers['x-request-id']);
  });

  it("turns a handler bug into Freshdesk's 500 without logging credentials", async () => {
    const reply = await api(emu.current, 'GET', '/test/boom');
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ message: "We're sorry, but something went wrong." });
    expect(logged.join('\n')).toContain('handler bug');
    // Corrupt data must not crash the server either.
    emu.current.data.tickets.set(999, null as unknown as TicketRecord);
    const list = await api(emu.current, 'GET', '/tickets?updated_since=2000-01-01');
    emu.current.data.tickets.delete(999);
    expect(list.status).toBe(500);
    expect(logged.join('\n')).not.toContain(TINY.keys.admin);
    expect((await api(emu.current, 'GET', '/tickets/1')).status).toBe(200);
  });
});

describe('CLI flags', () => {
  it('parses every flag', () => {
    expect(
      parseEmulatorArgs([
        '--port',
        '9000',
        '--plan',
        'pro',
        '--seed',
        '7',
        '--tickets',
        '500',
        '--companies',
        '350',
        '--contacts',
        '1200',
        '--api-key',
        'k1',
        '--window-ms',
        '1000',
      ]),
    ).toMatchObject({
      port: 9000,
      plan: 'pro',
      seed: 7,
      tickets: 500,
      companies: 350,
      contacts: 1200,
      adminApiKey: 'k1',
      windowMs: 1000,
    });
  });

  it('refuses bad flags with a clear message', () => {
    expect(() => parseEmulatorArgs(['--plan', 'gold'])).toThrow(/--plan must be one of/);
    expect(() => parseEmulatorArgs(['--port', 'x'])).toThrow(/--port must be an integer/);
    expect(() => parseEmulatorArgs(['--colour'])).toThrow(/colour/);
    expect(() => parseEmulatorArgs(['--contacts', '10'])).toThrow(
      /--contacts must be an integer >= 60/,
    );
  });
});
