/**
 * Conversations over a real socket: the paged list (oldest first, `Link`), replies and notes with
 * their defaults, validation and side effects (ticket `updated_at`, events), and 404 on spam/deleted.
 */
import { describe, expect, it } from 'vitest';
import { api, withEmulator } from '../helpers/emulator.ts';
import { TINY, tinyData } from '../helpers/tiny-data.ts';

const NOW = Date.parse('2026-05-15T12:00:00Z');

interface Conversation {
  id: number;
  body: string;
  body_text: string;
  incoming: boolean;
  private: boolean;
  user_id: number;
  source: number;
  ticket_id: number;
  from_email: string | null;
  to_emails: string[];
  cc_emails: string[];
  created_at: string;
}

interface Invalid {
  errors: { field: string; message: string; code: string }[];
}

let clock = NOW;
const emu = withEmulator(() => ({ data: tinyData(NOW), now: () => clock, rateLimit: false }));

describe('GET /tickets/:id/conversations', () => {
  it('pages oldest first and links the next page', async () => {
    const first = await api<Conversation[]>(
      emu.current,
      'GET',
      `/tickets/${TINY.chattyTicketId}/conversations?per_page=5`,
    );
    expect(first.status).toBe(200);
    expect(first.body.map((c) => c.body_text)).toEqual([0, 1, 2, 3, 4].map((i) => `Message ${i}`));
    expect(first.headers.link).toBe(
      `<${emu.current.origin}/api/v2/tickets/${TINY.chattyTicketId}/conversations?per_page=5&page=2>; rel="next"`,
    );
    const last = await api<Conversation[]>(
      emu.current,
      'GET',
      `/tickets/${TINY.chattyTicketId}/conversations?per_page=5&page=3`,
    );
    expect(last.body).toHaveLength(2);
    expect(last.headers.link).toBeUndefined();
  });

  it('answers an empty list for a ticket without conversations', async () => {
    const reply = await api(emu.current, 'GET', '/tickets/1/conversations');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual([]);
  });

  it('404s for spam, deleted and unknown tickets, and refuses unknown parameters', async () => {
    for (const id of [TINY.spamTicketId, TINY.deletedTicketId, 9999]) {
      const reply = await api(emu.current, 'GET', `/tickets/${id}/conversations`);
      expect(reply.status).toBe(404);
      expect(reply.text).toBe('');
    }
    const bad = await api<Invalid>(emu.current, 'GET', '/tickets/1/conversations?order=asc');
    expect(bad.body.errors[0]).toMatchObject({ field: 'order', code: 'invalid_field' });
  });
});

describe('POST /tickets/:id/reply', () => {
  it('adds a public reply, bumps the ticket and emits reply_sent', async () => {
    clock = NOW + 5 * 60_000;
    const reply = await api<Conversation>(emu.current, 'POST', '/tickets/3/reply', {
      body: { body: '<p>We are on it</p>', cc_emails: ['boss@example.com'] },
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.location).toBe(
      `${emu.current.origin}/api/v2/conversations/${reply.body.id}`,
    );
    expect(reply.body).toMatchObject({
      body: '<p>We are on it</p>',
      body_text: 'We are on it',
      incoming: false,
      private: false,
      source: 0,
      ticket_id: 3,
      user_id: TINY.adminId,
      cc_emails: ['boss@example.com'],
      created_at: '2026-05-15T12:05:00Z',
    });
    expect(reply.body.to_emails).toEqual(['customer4@example.com']);
    expect(emu.current.data.tickets.get(3)?.updated_at).toBe('2026-05-15T12:05:00Z');
    expect(emu.current.events().at(-1)).toEqual({
      kind: 'reply_sent',
      ticketId: 3,
      conversationId: reply.body.id,
    });
    const list = await api<Conversation[]>(emu.current, 'GET', '/tickets/3/conversations');
    expect(list.body.map((c) => c.id)).toEqual([reply.body.id]);
  });

  it('requires a body and refuses unknown fields and bad emails', async () => {
    const missing = await api<Invalid>(emu.current, 'POST', '/tickets/3/reply', { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'body', message: 'Mandatory attribute missing', code: 'missing_field' },
    ]);
    const unknown = await api<Invalid>(emu.current, 'POST', '/tickets/3/reply', {
      body: { body: 'x', private: true },
    });
    expect(unknown.body.errors[0]).toMatchObject({ field: 'private', code: 'invalid_field' });
    const emails = await api<Invalid>(emu.current, 'POST', '/tickets/3/reply', {
      body: { body: 'x', bcc_emails: ['nope'] },
    });
    expect(emails.body.errors[0]).toMatchObject({ field: 'bcc_emails', code: 'invalid_value' });
  });

  it('404s on spam and deleted tickets', async () => {
    for (const id of [TINY.spamTicketId, TINY.deletedTicketId]) {
      const reply = await api(emu.current, 'POST', `/tickets/${id}/reply`, { body: { body: 'x' } });
      expect(reply.status).toBe(404);
    }
  });
});

describe('POST /tickets/:id/notes', () => {
  it('defaults to a private, outgoing note and emits note_added', async () => {
    clock = NOW + 10 * 60_000;
    const note = await api<Conversation>(emu.current, 'POST', '/tickets/5/notes', {
      body: { body: 'internal' },
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ private: true, incoming: false, source: 2, ticket_id: 5 });
    expect(emu.current.data.tickets.get(5)?.updated_at).toBe('2026-05-15T12:10:00Z');
    expect(emu.current.events().at(-1)).toEqual({
      kind: 'note_added',
      ticketId: 5,
      conversationId: note.body.id,
      private: true,
    });
  });

  it('takes private, incoming, notify_emails and user_id', async () => {
    const note = await api<Conversation>(emu.current, 'POST', '/tickets/5/notes', {
      body: {
        body: 'public',
        private: false,
        incoming: true,
        notify_emails: ['bob@emulator.example'],
        user_id: TINY.agentId,
      },
    });
    expect(note.body).toMatchObject({ private: false, incoming: true, user_id: TINY.agentId });
    const bad = await api<Invalid>(emu.current, 'POST', '/tickets/5/notes', {
      body: { body: 'x', private: 'yes', user_id: 42 },
    });
    expect(bad.body.errors.map((e) => e.field)).toEqual(['private', 'user_id']);
  });
});
