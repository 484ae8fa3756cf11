/**
 * Incremental runs: after a finished run, the next run from its checkpoint writes exactly what
 * changed since (tickets, their new conversations, contacts, companies, ratings), reports tickets
 * deleted or marked spam (and deleted contacts) as records, and spends at most one conversations
 * call per changed ticket. A run with nothing changed writes nothing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidateTicketOrder } from '../../src/emulator/handlers/tickets.ts';
import { isoSeconds } from '../../src/emulator/http.ts';
import { api } from '../helpers/emulator.ts';
import { UNTHROTTLED } from '../helpers/gateway.ts';
import { exportInProcess, exportStack, readNdjson, visibleTickets } from './helpers.ts';

const env = exportStack({ ...UNTHROTTLED, emulator: { ...UNTHROTTLED.emulator, tickets: 600 } });

type Row = Record<string, unknown> & { id: string };
const ids = (rows: Row[]) => rows.map((r) => r.id).sort();

/** Freshdesk has no API to mark spam: the emulator's data is changed as the UI would. */
function markSpam(id: number): void {
  const ticket = env.stack.emulator.data.tickets.get(id);
  if (!ticket) {
    throw new Error(`no ticket ${id}`);
  }
  ticket.spam = true;
  ticket.updated_at = isoSeconds(Date.now());
  invalidateTicketOrder(env.stack.emulator.data);
}

describe('tickets and conversations', () => {
  const checkpoint = join(env.dir, 'tickets.state');
  const out = (run: number) => join(env.dir, `run${run}-{stream}.ndjson`);
  const file = (run: number, stream: string) => join(env.dir, `run${run}-${stream}.ndjson`);

  it('a run from a finished checkpoint writes exactly the changes and reports deletions and spam', async () => {
    env.stack.emulator.resetStats();
    const first = await exportInProcess(env.stack.gateway.url, {
      streams: ['tickets', 'conversations'],
      format: 'ndjson',
      out: out(1),
      checkpoint,
      since: null,
    });
    expect(first.summary.mode).toBe('first');
    const visible = visibleTickets(env.stack.emulator.data);
    // Every ticket page listed once, one conversations call per ticket, nothing else.
    expect(env.stack.emulator.stats().calls).toEqual({
      'GET /tickets': Math.ceil(visible.length / 100),
      'GET /tickets/:id/conversations': visible.length,
      'GET /ticket_fields': 1,
    });
    expect(ids(readNdjson<Row>(file(1, 'tickets')))).toEqual(
      visible.map((t) => String(t.id)).sort(),
    );
    const conversations = [...env.stack.emulator.data.conversations.entries()]
      .filter(([ticketId]) => visible.some((t) => t.id === ticketId))
      .flatMap(([, list]) => list);
    expect(ids(readNdjson<Row>(file(1, 'conversations')))).toEqual(
      conversations.map((c) => String(c.id)).sort(),
    );

    // Change three tickets (one gets a reply), delete one, mark one as spam.
    const pick = visible
      .filter(
        (t) => t.id % 7 === 3 && (env.stack.emulator.data.conversations.get(t.id)?.length ?? 0) > 0,
      )
      .slice(0, 5);
    const [a, b, c, gone, junk] = pick as [
      (typeof pick)[0],
      (typeof pick)[0],
      (typeof pick)[0],
      (typeof pick)[0],
      (typeof pick)[0],
    ];
    for (const ticket of [a, b, c]) {
      const reply = await api(env.stack.emulator, 'PUT', `/tickets/${ticket.id}`, {
        body: { priority: 4 },
      });
      expect(reply.status).toBe(200);
    }
    const replied = await api<{ id: number }>(
      env.stack.emulator,
      'POST',
      `/tickets/${b.id}/reply`,
      {
        body: { body: '<p>Any news?</p>' },
      },
    );
    expect(replied.status).toBe(201);
    expect((await api(env.stack.emulator, 'DELETE', `/tickets/${gone.id}`)).status).toBe(204);
    markSpam(junk.id);

    env.stack.emulator.resetStats();
    const second = await exportInProcess(env.stack.gateway.url, {
      streams: ['tickets', 'conversations'],
      format: 'ndjson',
      out: out(2),
      checkpoint,
      since: null,
    });
    expect(second.summary.mode).toBe('next');
    const tickets = readNdjson<Row>(file(2, 'tickets'));
    const live = tickets.filter((t) => !t.deleted && !t.spam);
    expect(ids(live)).toEqual([a, b, c].map((t) => String(t.id)).sort());
    expect(live.every((t) => t.priority === 'URGENT')).toBe(true);
    expect(tickets.filter((t) => t.deleted).map((t) => t.id)).toEqual([String(gone.id)]);
    expect(tickets.filter((t) => t.spam).map((t) => t.id)).toEqual([String(junk.id)]);
    expect(tickets).toHaveLength(5);
    // Only the new reply: the changed tickets' older conversations were written by the first run.
    expect(readNdjson<Row>(file(2, 'conversations')).map((r) => r.id)).toEqual([
      String(replied.body.id),
    ]);
    // At most one conversations call per changed ticket; one ticket page and one page each of
    // deleted and spam tickets.
    const calls = env.stack.emulator.stats().calls;
    expect(calls['GET /tickets/:id/conversations']).toBeLessThanOrEqual(3);
    expect(calls['GET /tickets']).toBe(3);

    // Nothing changed since: nothing written, deletions not reported again.
    const third = await exportInProcess(env.stack.gateway.url, {
      streams: ['tickets', 'conversations'],
      format: 'ndjson',
      out: out(3),
      checkpoint,
      since: null,
    });
    expect(third.summary.records).toEqual({ tickets: 0, conversations: 0 });
    expect(readNdjson(file(3, 'tickets'))).toEqual([]);
  });

  it('--since exports only what changed at or after it on a first run', async () => {
    const visible = visibleTickets(env.stack.emulator.data);
    const since = [...visible.map((t) => t.updated_at)].sort()[
      Math.floor(visible.length * 0.9)
    ] as string;
    await exportInProcess(env.stack.gateway.url, {
      streams: ['tickets'],
      format: 'ndjson',
      out: join(env.dir, 'since.ndjson'),
      checkpoint: null,
      since,
    });
    expect(ids(readNdjson<Row>(join(env.dir, 'since.ndjson')))).toEqual(
      visible
        .filter((t) => t.updated_at >= since)
        .map((t) => String(t.id))
        .sort(),
    );
  });
});

describe('contacts, companies and ratings', () => {
  const checkpoint = join(env.dir, 'people.state');
  const out = (run: number) => join(env.dir, `people${run}-{stream}.ndjson`);
  const file = (run: number, stream: string) => join(env.dir, `people${run}-${stream}.ndjson`);
  const streams = ['contacts', 'companies', 'ratings'] as const;

  it('exports everything once, then only what changed, deleted contacts as records', async () => {
    const data = env.stack.emulator.data;
    await exportInProcess(env.stack.gateway.url, {
      streams: [...streams],
      format: 'ndjson',
      out: out(1),
      checkpoint,
      since: null,
    });
    const listed = [...data.contacts.values()].filter(
      (c) => c._state === 'verified' || c._state === 'unverified',
    );
    expect(ids(readNdjson<Row>(file(1, 'contacts')))).toEqual(
      listed.map((c) => String(c.id)).sort(),
    );
    expect(ids(readNdjson<Row>(file(1, 'companies')))).toEqual(
      [...data.companies.keys()].map(String).sort(),
    );
    expect(ids(readNdjson<Row>(file(1, 'ratings')))).toEqual(
      [...data.ratings.keys()].map(String).sort(),
    );

    const [changed, removed] = listed.filter((c) => c.email !== null).slice(3, 5) as [
      (typeof listed)[0],
      (typeof listed)[0],
    ];
    expect(
      (
        await api(env.stack.emulator, 'PUT', `/contacts/${changed.id}`, {
          body: { job_title: 'CTO' },
        })
      ).status,
    ).toBe(200);
    // The emulator has no contact DELETE route: soft-delete as Freshdesk does.
    Object.assign(removed, {
      _state: 'deleted',
      deleted: true,
      updated_at: isoSeconds(Date.now()),
    });
    const company = [...data.companies.values()][2] as {
      id: number;
      updated_at: string;
      name: string;
    };
    Object.assign(company, { name: `${company.name} Ltd`, updated_at: isoSeconds(Date.now()) });
    const rated = visibleTickets(data).find(
      (t) => t.status >= 4 && ![...data.ratings.values()].some((r) => r.ticket_id === t.id),
    );
    const rating = await api<{ id: number }>(
      env.stack.emulator,
      'POST',
      `/tickets/${rated?.id}/satisfaction_ratings`,
      {
        body: { ratings: { default_question: 103 } },
      },
    );
    expect(rating.status).toBe(201);

    await exportInProcess(env.stack.gateway.url, {
      streams: [...streams],
      format: 'ndjson',
      out: out(2),
      checkpoint,
      since: null,
    });
    const contacts = readNdjson<Row>(file(2, 'contacts'));
    expect(contacts.map((c) => [c.id, c.deleted])).toEqual(
      [
        [String(changed.id), false],
        [String(removed.id), true],
      ].sort(),
    );
    expect(readNdjson<Row>(file(2, 'companies')).map((c) => [c.id, c.name])).toEqual([
      [String(company.id), company.name],
    ]);
    expect(readNdjson<Row>(file(2, 'ratings')).map((r) => r.id)).toEqual([String(rating.body.id)]);
  });
});
