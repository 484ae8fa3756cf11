/**
 * Micro-benchmark of checking Freshdesk's answers against the shape the gateway relies on
 * (`src/upstream/shape.ts`): the CPU of one 100-ticket page (the emulator's real answers, plain and
 * with `include=requester,description,stats`) parsed as the client parses it, then turned into
 * models without the check (as before it existed) and with it. The variants take turns, round
 * after round, each reporting its median round, so a busy machine skews them alike. A few
 * seconds: `npm run bench:shapes`.
 */
import { request } from 'undici';
import { startEmulator } from '../../src/emulator/index.ts';
import { quoteLargeIntegers } from '../../src/upstream/freshdesk-client.ts';
import { checked } from '../../src/upstream/shape.ts';
import { type RawTicket, TICKET_PAGE, toTicketModel } from '../../src/upstream/tickets.ts';

const PER_ROUND = 400;
const ROUNDS = 15;
const LARGE_INTEGER = /\d{16}/;

/** What the client does with a 2xx body (freshdesk-client.ts `parseJson`). */
const parse = (text: string): unknown =>
  JSON.parse(LARGE_INTEGER.test(text) ? quoteLargeIntegers(text) : text);

const emulator = await startEmulator({ port: 0, seed: 1, log: () => {} });
const page = async (include: string): Promise<string> => {
  const query = `per_page=100&updated_since=2000-01-01T00:00:00Z${include ? `&include=${include}` : ''}`;
  const response = await request(`${emulator.origin}/api/v2/tickets?${query}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${emulator.apiKeys.admin}:X`).toString('base64')}`,
    },
  });
  const text = await response.body.text();
  if (response.statusCode !== 200 || (JSON.parse(text) as unknown[]).length !== 100) {
    throw new Error(`the emulator answered ${response.statusCode}, not a page of 100 tickets`);
  }
  return text;
};
const pages = { plain: await page(''), embeds: await page('requester,description,stats') };
await emulator.close();

/** A response as the client hands it to the models. */
const response = (data: unknown) => ({
  method: 'GET',
  path: '/api/v2/tickets',
  status: 200,
  data,
  nextPage: undefined,
  requestId: undefined,
  credits: 1,
  headers: {},
});

let sink = 0;
const variants = {
  'parse only': (text: string) => {
    sink += (parse(text) as unknown[]).length;
  },
  'parse + models (no check: before)': (text: string) => {
    sink += (parse(text) as RawTicket[]).map(toTicketModel).length;
  },
  'parse + check + models (now)': (text: string) => {
    sink += checked<RawTicket[]>(response(parse(text)), TICKET_PAGE).map(toTicketModel).length;
  },
  'check alone': (text: string, parsed: unknown) => {
    sink += checked<RawTicket[]>(response(parsed), TICKET_PAGE).length + text.length * 0;
  },
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const lines: string[] = ['page | variant | µs per 100-ticket page (median)'];
for (const [name, text] of Object.entries(pages)) {
  const parsed = parse(text);
  const rounds = new Map<string, number[]>(Object.keys(variants).map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [variant, run] of Object.entries(variants)) {
      const started = process.hrtime.bigint();
      for (let n = 0; n < PER_ROUND; n++) {
        run(text, parsed);
      }
      rounds.get(variant)?.push(Number(process.hrtime.bigint() - started) / PER_ROUND / 1000);
    }
  }
  for (const [variant, times] of rounds) {
    lines.push(
      `${name} (${(text.length / 1024).toFixed(0)} KB) | ${variant} | ${median(times.slice(3)).toFixed(1)}`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n${sink > 0 ? '' : 'nothing ran\n'}`);
