/**
 * The sweep run by one replica at a time (`SweepCoordinator` for `sweep.ts`): a lease in Redis.
 *
 * - `<base>:sweep:lease` holds the holder's replica id and expires after `leaseMs` (twice the sweep
 *   interval, between 2 and 30 s). The holder renews it every third of that, on a timer of its own,
 *   so a long run does not lose it; when the holder stops, it gives the lease up at once; when it
 *   dies, the lease expires and the next replica whose interval comes takes it.
 * - Before each interval's run a replica asks for its turn (one script): free or its own, it takes
 *   (or keeps) the lease and runs; held by another, it stands by. Either way it reads
 *   `<base>:sweep:state`, the cursor the last run left, so the holder's successor, or a replica that
 *   must sweep alone, carries on from there rather than from its own start.
 * - Only the holder writes the state (checked in the same script), after each run.
 * - Redis down or slow: the replica sweeps on its own every interval ('local'), from the last state it
 *   read, as a single gateway does; every replica cut off from Redis does the same, so each sweep call
 *   is made once per replica then. It rejoins the lease at its next turn once Redis answers.
 */
import type { Logger } from '../logger.ts';
import { accountTag, type RedisManager } from '../redis/redis.ts';
import type { SweepCoordinator, SweepRole, SweepState } from './sweep.ts';

/** How long the sweep's state outlives its last run. */
export const SWEEP_STATE_TTL_MS = 7 * 24 * 3_600_000;

/** KEYS: lease, state. ARGV: replica id, lease ms. Returns {1 when this replica holds it, state or ''}. */
const TURN = `
local holder = redis.call('GET', KEYS[1])
local held = 0
if not holder or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  held = 1
end
return { held, redis.call('GET', KEYS[2]) or '' }`;

/** KEYS: lease. ARGV: replica id, lease ms. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS: lease, state. ARGV: replica id, state JSON, state ms. */
const SAVE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

/** KEYS: lease. ARGV: replica id. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export interface SweepLeaseOptions {
  redis: RedisManager;
  /** The Freshdesk origin (one sweep per account). */
  account: string;
  intervalMs: number;
  logger: Logger;
  /** @default twice the interval, from 2 to 30 s */
  leaseMs?: number;
}

export const leaseMsFor = (intervalMs: number): number =>
  Math.min(30_000, Math.max(2_000, intervalMs * 2));

export function createSweepLease(options: SweepLeaseOptions): SweepCoordinator {
  const { redis, logger } = options;
  const base = redis.key('fresh', accountTag(options.account), 'sweep');
  const leaseKey = `${base}:lease`;
  const stateKey = `${base}:state`;
  const leaseMs = options.leaseMs ?? leaseMsFor(options.intervalMs);
  const me = redis.replicaId;
  const turnScript = redis.script(TURN, 2);
  const renewScript = redis.script(RENEW, 1);
  const saveScript = redis.script(SAVE, 2);
  const releaseScript = redis.script(RELEASE, 1);
  let role: SweepRole = 'standby';
  let renewal: NodeJS.Timeout | undefined;
  let closed = false;

  const become = (next: SweepRole, error?: unknown): void => {
    if (next === role) {
      return;
    }
    const fields = { replica: me, ...(error ? { error: describeError(error) } : {}) };
    if (next === 'holder') {
      logger.info('reconciliation sweep: this replica runs it (lease taken)', fields);
    } else if (next === 'local') {
      logger.warn(
        'reconciliation sweep: Redis did not answer; this replica sweeps on its own',
        fields,
      );
    } else {
      logger.info('reconciliation sweep: another replica runs it', fields);
    }
    role = next;
    clearInterval(renewal);
    renewal = undefined;
    if (next === 'holder' && !closed) {
      renewal = setInterval(() => void renew(), Math.max(100, Math.floor(leaseMs / 3)));
      renewal.unref();
    }
  };

  const renew = async (): Promise<void> => {
    if (role !== 'holder' || !redis.isUp()) {
      return;
    }
    try {
      if ((await renewScript.run([leaseKey], [me, leaseMs])) !== 1) {
        become('standby');
      }
    } catch {
      // Not known either way; the next turn finds out.
    }
  };

  return {
    async turn() {
      if (closed) {
        return { run: false, state: undefined };
      }
      if (!redis.isUp()) {
        become('local');
        return { run: true, state: undefined };
      }
      try {
        const [held, stateJson] = (await turnScript.run([leaseKey, stateKey], [me, leaseMs])) as [
          number,
          string,
        ];
        become(held === 1 ? 'holder' : 'standby');
        return { run: held === 1, state: parseState(stateJson) };
      } catch (error) {
        become('local', error);
        return { run: true, state: undefined };
      }
    },
    async save(state) {
      if (role !== 'holder' || closed) {
        return;
      }
      try {
        const saved = await saveScript.run(
          [leaseKey, stateKey],
          [me, JSON.stringify(state), SWEEP_STATE_TTL_MS],
        );
        if (saved !== 1) {
          become('standby');
        }
      } catch (error) {
        logger.debug('reconciliation sweep: state not saved', { error: describeError(error) });
      }
    },
    role: () => role,
    async close() {
      closed = true;
      clearInterval(renewal);
      if (role === 'holder' && redis.isUp()) {
        await releaseScript.run([leaseKey], [me]).catch(() => undefined);
      }
      role = 'standby';
    },
  };
}

function parseState(json: string): SweepState | undefined {
  if (!json) {
    return undefined;
  }
  try {
    const value = JSON.parse(json) as Partial<SweepState>;
    if (
      typeof value.cursor === 'string' &&
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value.cursor) &&
      Array.isArray(value.atCursor) &&
      value.atCursor.every((id) => typeof id === 'string') &&
      Number.isSafeInteger(value.page) &&
      (value.page as number) >= 1
    ) {
      return { cursor: value.cursor, atCursor: value.atCursor, page: value.page as number };
    }
  } catch {
    // Not ours: as if there were none.
  }
  return undefined;
}

const describeError = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
