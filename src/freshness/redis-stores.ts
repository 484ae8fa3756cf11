/**
 * The freshness stores in Redis, shared by every replica: change deduplication and the `ticketEvents`
 * replay log. Each call is one Lua script or command (one round trip, atomic); a failure rejects
 * (Redis down, or slower than the manager's timeout) and the caller falls back
 * (`shared-stores.ts`).
 *
 * Keys, under `<prefix>fresh:<account tag>` (`base`):
 * - `base:v:<ticket id>`: the newest `updated_at` (epoch ms) turned into an event, for
 *   `DEDUP_VERSION_TTL_MS`;
 * - `base:once:<key>`: unversioned sightings, for the time the caller asks;
 * - `base:log`: the replay log, a Redis stream. Its entry ids are the event ids (`<ms>-<seq>`, from
 *   Redis' clock, one clock for all replicas), each entry holds the event's JSON (field `e`). The
 *   stream's `max-deleted-entry-id` is the log's floor (`event-log.ts`): set to `<ms>-0` when the
 *   stream is created (an empty entry added and deleted), and raised by the trimming here (count:
 *   `maxEvents`; age: `MINID`), which Redis' own trimming does not do. `last-generated-id` is the
 *   newest id issued. The key expires a day after its last use (`LOG_IDLE_TTL_MS` beyond the age
 *   bound); a stream created again starts with a new floor, so an old `after` is EVENTS_EXPIRED,
 *   never a silent gap.
 *
 * `append` publishes the event on the log's channel in the same script that adds it, so every
 * replica hears events in id order (two replicas appending at once cannot publish out of order).
 */
import type { RedisManager, RedisScript } from '../redis/redis.ts';
import type { ChangeDedup } from './dedup.ts';
import {
  type EventLog,
  type NewTicketEvent,
  parseEventId,
  ReplayError,
  type TicketEventRecord,
} from './event-log.ts';

/**
 * How long a ticket's newest reported version is remembered: past Freshdesk's last webhook retry
 * (+60 min) and its 24-hour drop of postponed webhooks.
 */
export const DEDUP_VERSION_TTL_MS = 25 * 3_600_000;
/** How long the log's key outlives its age bound without use. */
export const LOG_IDLE_TTL_MS = 24 * 3_600_000;

const CLAIM = `
local seen = redis.call('GET', KEYS[1])
if seen and tonumber(seen) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Shared by the log's scripts: Redis' clock, the stream's floor and newest id, trimming. */
const LOG_LIB = `
local key = KEYS[1]
local function fmt(n) return string.format('%.0f', n) end
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ensure(now)
  if redis.call('EXISTS', key) == 0 then
    local id = redis.call('XADD', key, fmt(now) .. '-0', 'e', '')
    redis.call('XDEL', key, id)
  end
end
local function info()
  local raw = redis.call('XINFO', 'STREAM', key)
  local last, floor = '0-0', '0-0'
  for i = 1, #raw, 2 do
    if raw[i] == 'last-generated-id' then last = raw[i + 1]
    elseif raw[i] == 'max-deleted-entry-id' then floor = raw[i + 1] end
  end
  return last, floor
end
local function trim(now, maxEvents, maxAgeMs)
  local dropped = nil
  if maxEvents > 0 then
    local excess = redis.call('XLEN', key) - maxEvents
    if excess > 0 then
      local old = redis.call('XRANGE', key, '-', '+', 'COUNT', excess)
      dropped = old[#old][1]
      redis.call('XTRIM', key, 'MAXLEN', '=', maxEvents)
    end
  end
  local minid = fmt(now - maxAgeMs) .. '-0'
  local older = redis.call('XREVRANGE', key, '(' .. minid, '-', 'COUNT', 1)
  if #older > 0 then
    dropped = older[1][1]
    redis.call('XTRIM', key, 'MINID', minid)
  end
  if dropped then
    local last = info()
    redis.call('XSETID', key, last, 'MAXDELETEDID', dropped)
  end
end
local function cmp(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  if am ~= bm then return am < bm and -1 or 1 end
  if as ~= bs then return as < bs and -1 or 1 end
  return 0
end
`;

/** ARGV: event JSON without id, maxEvents, maxAgeMs, channel, ttl. Returns the new id. */
const APPEND = `${LOG_LIB}
local now = clock()
ensure(now)
local id = redis.call('XADD', key, '*', 'e', ARGV[1])
trim(now, tonumber(ARGV[2]), tonumber(ARGV[3]))
redis.call('PEXPIRE', key, ARGV[5])
redis.call('PUBLISH', ARGV[4], '{"id":"' .. id .. '",' .. string.sub(ARGV[1], 2))
return id`;

/** ARGV: after, maxAgeMs, ttl. Returns floor, newest, then id and JSON of each event after `after` (none when out of range). */
const SINCE = `${LOG_LIB}
local now = clock()
ensure(now)
trim(now, 0, tonumber(ARGV[2]))
redis.call('PEXPIRE', key, ARGV[3])
local last, floor = info()
local out = { floor, last }
if cmp(ARGV[1], floor) < 0 or cmp(ARGV[1], last) > 0 then return out end
for _, entry in ipairs(redis.call('XRANGE', key, '(' .. ARGV[1], '+')) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2][2]
end
return out`;

/** ARGV: ttl. Returns the newest id issued (the floor when none). */
const HEAD = `${LOG_LIB}
ensure(clock())
redis.call('PEXPIRE', key, ARGV[1])
local last = info()
return last`;

export class RedisChangeDedup implements ChangeDedup {
  readonly #redis: RedisManager;
  readonly #base: string;
  readonly #claim: RedisScript;

  /** `base`: the account's freshness key prefix. */
  constructor(redis: RedisManager, base: string) {
    this.#redis = redis;
    this.#base = base;
    this.#claim = redis.script(CLAIM, 1);
  }

  async claim(ticketId: string, updatedAtMs: number): Promise<boolean> {
    const fresh = await this.#claim.run(
      [`${this.#base}:v:${ticketId}`],
      [updatedAtMs, DEDUP_VERSION_TTL_MS],
    );
    return fresh === 1;
  }

  async once(key: string, ttlMs: number): Promise<boolean> {
    const set = await this.#redis.client.set(
      `${this.#base}:once:${key}`,
      '1',
      'PX',
      Math.max(1, Math.round(ttlMs)),
      'NX',
    );
    return set === 'OK';
  }
}

export interface RedisEventLogOptions {
  redis: RedisManager;
  /** The stream's key. */
  key: string;
  /** Where `append` publishes each event (JSON, with its id). */
  channel: string;
  maxEvents: number;
  maxAgeMs: number;
  /**
   * Ids whose sequence part is at least this were issued by a replica's fallback log while it was
   * cut off from Redis (`shared-stores.ts`): this log cannot replay after them.
   */
  foreignSeqBase: number;
}

export class RedisEventLog implements EventLog {
  readonly #options: RedisEventLogOptions;
  readonly #append: RedisScript;
  readonly #since: RedisScript;
  readonly #head: RedisScript;
  readonly #ttl: number;

  constructor(options: RedisEventLogOptions) {
    this.#options = options;
    this.#append = options.redis.script(APPEND, 1);
    this.#since = options.redis.script(SINCE, 1);
    this.#head = options.redis.script(HEAD, 1);
    this.#ttl = options.maxAgeMs + LOG_IDLE_TTL_MS;
  }

  async append(event: NewTicketEvent): Promise<TicketEventRecord> {
    const { key, channel, maxEvents, maxAgeMs } = this.#options;
    const id = await this.#append.run(
      [key],
      [JSON.stringify(event), maxEvents, maxAgeMs, channel, this.#ttl],
    );
    return { id: String(id), ...event };
  }

  async since(after: string): Promise<TicketEventRecord[]> {
    const { key, maxEvents, maxAgeMs, foreignSeqBase } = this.#options;
    const parsed = parseEventId(after);
    // A malformed id cannot reach Redis; it is below every floor.
    const reply = (await this.#since.run(
      [key],
      [parsed ? `${parsed[0]}-${parsed[1]}` : '0-0', maxAgeMs, this.#ttl],
    )) as string[];
    const [floor = '0-0', newest = '0-0'] = reply;
    const keeps = `it keeps ${maxEvents} events for ${Math.round(maxAgeMs / 1000)} s`;
    if (parsed !== undefined && parsed[1] >= foreignSeqBase) {
      throw new ReplayError(
        'EVENTS_EXPIRED',
        `Event ${after} was issued by one gateway replica while it could not reach Redis; the shared event log cannot tell what came after it. Load current state, then subscribe without \`after\`.`,
        floor,
        newest,
      );
    }
    if (parsed === undefined || compare(parsed, floor) < 0) {
      throw new ReplayError(
        'EVENTS_EXPIRED',
        `The event log no longer holds what came after ${after} (${keeps}). Load current state, then subscribe without \`after\`.`,
        floor,
        newest,
      );
    }
    if (compare(parsed, newest) > 0) {
      throw new ReplayError(
        'EVENT_ID_UNKNOWN',
        `No gateway replica issued event ${after} (the newest is ${newest}). Subscribe without \`after\`, or with an id a replica gave you.`,
        floor,
        newest,
      );
    }
    const events: TicketEventRecord[] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) {
      const stored = JSON.parse(reply[i + 1]!) as NewTicketEvent;
      events.push({ ...stored, id: reply[i]! });
    }
    return events;
  }

  async head(): Promise<string> {
    return String(await this.#head.run([this.#options.key], [this.#ttl]));
  }
}

function compare([ms, seq]: [number, number], id: string): number {
  const [otherMs, otherSeq] = parseEventId(id) ?? [0, 0];
  return ms !== otherMs ? ms - otherMs : seq - otherSeq;
}
