/**
 * The budget model (`budget.ts`) as Lua scripts over Redis, for replicas sharing one Freshdesk
 * account: the same sliding accounting, priority ceilings (with bulk borrowing the reserves nobody
 * wants), 429 pauses, learned plans and sub-limits that climb back, and the unverified share, each
 * call one atomic script on Redis' clock. `redis-store.ts` runs them; `test/redis/quota-store.test.ts`
 * runs the same scenarios against this and the in-process model and expects the same answers.
 *
 * Constant time, as in the model: every counter is a running sum in one hash; answered credits sit
 * in expiry buckets (a window's 1/64th each, so at most 65 at once) in a hash of per-slot sums with a
 * sorted set of their times; calls in flight sit in a hash with a sorted set of their grant times (so
 * forgotten ones are found without a scan). Pruning drops only buckets and flights that are due.
 *
 * Keys (the six KEYS, in this order, all under `<prefix>quota:<account tag>:`):
 * `s` the state hash; `b` bucket sums (`<expiry ms>` → `v0,v1,...,v5`); `bt` bucket times (zset);
 * `f` flights (`<id>` → `credits,endpoint slot,unverified,granted at`); `fs` flights by grant
 * time (zset); `r` replicas by last heartbeat (zset). Every key expires a day after its last use.
 *
 * Counter slots: 0 the account total, 1-4 the metered endpoints (`BUDGET_NAMES` order), 5 the
 * unverified share. State fields: `plan`, `source`, `lim<b>` (limits), `inf<s>`/`ans<s>` (in
 * flight / answered sums), `cum<s>` (credits ever counted: other replicas read their growth),
 * `pause<b>`, `prov<e>` (assumed sub-limit proven so far), `cap<e>`/`capp<e>`/`capc<e>`/`capw<e>`/
 * `capd<e>` (a sub-limit held after a 429: cap, proven, climb at, wait windows, demand), `probe`,
 * `risky`, `next`, `rep`/`repAt` (last X-RateLimit-Remaining), `demi`/`demw` (interactive and webhook
 * demand hold the reserve and the webhook share back from bulk work until then).
 *
 * Replicas: each call stamps this replica's heartbeat. Replicas heard from within `live` ms are
 * live; those heard from before that but within `missing` ms are missing (cut off from Redis, and
 * maybe spending their local share of the plan on their own), so the live ones together keep to
 * `live / (live + missing)` of every limit. A replica that stops cleanly leaves at once.
 */
import {
  BUCKETS,
  BULK_HEADROOM,
  CLIMB_STEP,
  MAX_CLIMB_WAIT_WINDOWS,
  MAX_IN_FLIGHT_WINDOWS,
} from './budget.ts';

/** How long the keys outlive their last use. */
export const QUOTA_IDLE_TTL_MS = 24 * 3_600_000;

/**
 * ARGV shared by every script, in this order (entry arguments follow, from ARGV[16]):
 * now ('' for Redis' clock), windowMs, bulk reserve, webhook share, unverified share (fractions),
 * borrowIdleMs, replica id, live ms, missing ms, the told plan's name ('' when not told) and its
 * five limits ('' when absent).
 */
export const COMMON_ARGS = 15;

const LIB = `
local S, B, BT, F, FS, R = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local function num(v) if v == nil or v == false or v == '' then return nil end return tonumber(v) end
local function fmt(n) return string.format('%.0f', n) end
local NOW
if ARGV[1] == '' then
  local t = redis.call('TIME')
  NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  NOW = tonumber(ARGV[1])
end
local W = tonumber(ARGV[2])
local RESERVE, WEBHOOK, UNVERIFIED = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local IDLE = tonumber(ARGV[6])
local REPLICA = ARGV[7]
local LIVE, MISSING = tonumber(ARGV[8]), tonumber(ARGV[9])
local BUCKET = math.max(1, math.ceil(W / ${BUCKETS}))
local STALE = ${MAX_IN_FLIGHT_WINDOWS} * W
local CLIMB_STEP, MAX_CLIMB_WAIT = ${CLIMB_STEP}, ${MAX_CLIMB_WAIT_WINDOWS}
local HEADROOM = ${BULK_HEADROOM}

local st, dirty = {}, {}
do
  local raw = redis.call('HGETALL', S)
  for i = 1, #raw, 2 do st[raw[i]] = raw[i + 1] end
end
local function get(k) return num(st[k]) end
local function set(k, v)
  if v == nil then st[k] = nil; dirty[k] = false
  else
    local s = v
    if type(v) == 'number' then s = fmt(v) end
    st[k] = s; dirty[k] = s
  end
end
local function bump(k, v) if v ~= 0 then set(k, (get(k) or 0) + v) end end
local function save()
  local hset, hdel = {}, {}
  for k, v in pairs(dirty) do
    if v == false then hdel[#hdel + 1] = k else hset[#hset + 1] = k; hset[#hset + 1] = v end
  end
  if #hset > 0 then redis.call('HSET', S, unpack(hset)) end
  if #hdel > 0 then redis.call('HDEL', S, unpack(hdel)) end
  for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, '${QUOTA_IDLE_TTL_MS}') end
end

-- The told plan, when the shared state knows none yet (first replica, or Redis lost it).
if ARGV[10] ~= '' and (st['source'] == nil or st['source'] == 'unknown') then
  set('plan', ARGV[10]); set('source', 'told')
  for b = 0, 4 do set('lim' .. b, num(ARGV[11 + b])) end
end

local function used(s) return (get('inf' .. s) or 0) + (get('ans' .. s) or 0) end

-- Adds credits to a prefix's counters on every slot a call counts against.
local function apply(prefix, ep, unv, credits)
  bump(prefix .. 0, credits)
  if ep > 0 then bump(prefix .. ep, credits) end
  if unv == 1 then bump(prefix .. 5, credits) end
end

local function readBucket(key)
  local sums = {0, 0, 0, 0, 0, 0}
  local v = redis.call('HGET', B, key)
  if v then
    local i = 1
    for part in string.gmatch(v, '[^,]+') do sums[i] = tonumber(part); i = i + 1 end
  end
  return sums
end

-- Counts per-slot credits (a table of six) as answered until expiresAt; nothing when already due.
local function countSlots(sums, expiresAt)
  if expiresAt <= NOW then return end
  local at = math.ceil(expiresAt / BUCKET) * BUCKET
  local key = fmt(at)
  local old = readBucket(key)
  local out = {}
  for s = 0, 5 do
    old[s + 1] = old[s + 1] + sums[s + 1]
    out[s + 1] = fmt(old[s + 1])
    bump('ans' .. s, sums[s + 1])
  end
  redis.call('HSET', B, key, table.concat(out, ','))
  redis.call('ZADD', BT, key, key)
end
local function slotsOf(ep, unv, credits)
  local sums = {credits, 0, 0, 0, 0, 0}
  if ep > 0 then sums[ep + 1] = credits end
  if unv == 1 then sums[6] = credits end
  return sums
end
local function count(ep, unv, credits, expiresAt) countSlots(slotsOf(ep, unv, credits), expiresAt) end

local function land(id)
  if st['probe'] == id then set('probe', nil) end
  if st['risky'] == id then set('risky', nil) end
  local v = redis.call('HGET', F, id)
  if not v then return nil end
  redis.call('HDEL', F, id)
  redis.call('ZREM', FS, id)
  local parts = {}
  for part in string.gmatch(v, '[^,]+') do parts[#parts + 1] = tonumber(part) end
  local f = { credits = parts[1], ep = parts[2], unv = parts[3], sentAt = parts[4] }
  apply('inf', f.ep, f.unv, -f.credits)
  return f
end

local function prune()
  local due = redis.call('ZRANGEBYSCORE', BT, '-inf', fmt(NOW))
  for _, key in ipairs(due) do
    local sums = readBucket(key)
    for s = 0, 5 do bump('ans' .. s, -sums[s + 1]) end
    redis.call('HDEL', B, key)
  end
  if #due > 0 then redis.call('ZREMRANGEBYSCORE', BT, '-inf', fmt(NOW)) end
  -- Calls never settled nor abandoned (their replica died) count as answered two windows on.
  local stale = redis.call('ZRANGEBYSCORE', FS, '-inf', '(' .. fmt(NOW - STALE), 'LIMIT', 0, 256)
  for _, id in ipairs(stale) do land(id) end
end

-- This replica's heartbeat; the share of every limit the live replicas may spend together.
local REPLICAS, FACTOR = 1, 1
local function heartbeat()
  redis.call('ZADD', R, fmt(NOW), REPLICA)
  redis.call('ZREMRANGEBYSCORE', R, '-inf', '(' .. fmt(NOW - MISSING))
  local live = redis.call('ZCOUNT', R, fmt(NOW - LIVE), '+inf')
  local missing = redis.call('ZCOUNT', R, '-inf', '(' .. fmt(NOW - LIVE))
  REPLICAS = live + missing
  FACTOR = live / REPLICAS
end

local function demand(p, untilT)
  if IDLE <= 0 or p == 'bulk' then return end
  local k = 'demi'
  if p == 'webhook' then k = 'demw' end
  local before = get(k)
  if before == nil or untilT > before then set(k, untilT) end
end

local function classShare(p)
  if p == 'webhook' then return 1 end
  local lendReserve = IDLE > 0 and NOW > (get('demi') or -math.huge)
  local lendWebhook = IDLE > 0 and NOW > (get('demw') or -math.huge)
  if p ~= 'bulk' then
    if lendWebhook then return 1 end
    return 1 - WEBHOOK
  end
  if lendWebhook then
    if lendReserve then return 1 - math.min(HEADROOM, RESERVE + WEBHOOK) end
    return 1 - RESERVE
  end
  if lendReserve then return 1 - WEBHOOK - math.min(HEADROOM, RESERVE) end
  return 1 - WEBHOOK - RESERVE
end

local function limitOf(b)
  if b ~= 0 and get('cap' .. b) ~= nil then return get('cap' .. b) end
  return get('lim' .. b)
end
local function ceiling(b, p)
  local limit = limitOf(b)
  if limit == nil then return nil end
  if limit == 0 then return 0 end
  return math.max(1, math.floor(limit * FACTOR * classShare(p)))
end
local function unverifiedCeiling()
  local total = get('lim0')
  if total == nil then return nil end
  return math.max(1, math.floor(total * FACTOR * UNVERIFIED))
end

-- The earliest time excess credits counted on slot s will have left the window (nil: needs calls
-- in flight answered, unless assumeInFlightNow). One walk over at most 65 buckets.
local function whenFits(s, excess, assumeInFlightNow)
  if excess <= 0 then return NOW end
  local freed = 0
  for _, key in ipairs(redis.call('ZRANGE', BT, 0, -1)) do
    freed = freed + readBucket(key)[s + 1]
    if freed >= excess then return tonumber(key) end
  end
  if assumeInFlightNow and freed + (get('inf' .. s) or 0) >= excess then return NOW + W end
  return nil
end

local function resetAt(s)
  if (get('inf' .. s) or 0) > 0 then return NOW + W end
  for _, key in ipairs(redis.call('ZREVRANGE', BT, 0, -1)) do
    if readBucket(key)[s + 1] > 0 then return tonumber(key) end
  end
  return nil
end

-- A capped sub-limit climbs a step once due, if demand reached it meanwhile.
local function recover(e)
  local cap = get('cap' .. e)
  if cap == nil or NOW < get('capc' .. e) then return end
  local limit = get('lim' .. e) or cap
  if get('capd' .. e) == 1 then
    set('capp' .. e, cap)
    set('cap' .. e, math.min(limit, cap + math.max(1, math.ceil(limit * CLIMB_STEP))))
    set('capd' .. e, 0)
    if cap >= limit then
      for _, f in ipairs({'cap', 'capp', 'capc', 'capw', 'capd'}) do set(f .. e, nil) end
      return
    end
  end
  set('capc' .. e, NOW + W)
end

local function isRisky(ep, credits)
  if ep == 0 then return false end
  local u = used(ep) + credits
  local cap, prov = get('cap' .. ep), get('prov' .. ep)
  return (cap ~= nil and u > get('capp' .. ep)) or (prov ~= nil and u > prov)
end

-- The running sums; OWN is what this call added for this replica (the rest of their growth since
-- its previous answer is what the other replicas spent).
local OWN = {0, 0, 0, 0, 0, 0}
local function bumpCum(sums, own)
  for s = 0, 5 do
    bump('cum' .. s, sums[s + 1])
    if own then OWN[s + 1] = OWN[s + 1] + sums[s + 1] end
  end
end

local function add(ep, credits, unv)
  local id = fmt((get('next') or NOW * 1000) + 1)
  set('next', id)
  redis.call('HSET', F, id, fmt(credits) .. ',' .. ep .. ',' .. unv .. ',' .. fmt(NOW))
  redis.call('ZADD', FS, fmt(NOW), id)
  apply('inf', ep, unv, credits)
  bumpCum(slotsOf(ep, unv, credits), true)
  return id
end

local function on429(f, retryAfter)
  local untilT = NOW + (retryAfter or math.ceil(W / 1000)) * 1000
  local ep = 0
  if f then ep = f.ep end
  local total = get('lim0')
  local totalHadRoom = total ~= nil and f ~= nil and used(0) + f.credits <= total
  local b = 0
  if ep > 0 and totalHadRoom then b = ep end
  set('pause' .. b, math.max(get('pause' .. b) or 0, untilT))
  if b ~= 0 then
    local held = math.max(1, used(b))
    local waitWindows = 0
    if get('cap' .. b) ~= nil then
      waitWindows = math.min(MAX_CLIMB_WAIT, math.max(1, get('capw' .. b) * 2))
    end
    set('cap' .. b, held); set('capp' .. b, held); set('capc' .. b, untilT + waitWindows * W)
    set('capw' .. b, waitWindows); set('capd' .. b, 0)
    set('prov' .. b, nil)
  end
end

-- What every answer carries: Redis' clock, the replicas, the running sums, this call's own part
-- of them, and what is counted now.
local function tail(out)
  out[#out + 1] = NOW
  out[#out + 1] = REPLICAS
  for s = 0, 5 do out[#out + 1] = get('cum' .. s) or 0 end
  for s = 0, 5 do out[#out + 1] = OWN[s + 1] end
  for s = 0, 5 do out[#out + 1] = used(s) end
  return out
end
`;

/** `ep, credits, priority, unverified` → `[1, id | 0, blocked slot, retryAt | -1, ...tail]`. */
const RESERVE = `
prune(); heartbeat()
local ep, credits, p, unv = tonumber(ARGV[16]), tonumber(ARGV[17]), ARGV[18], tonumber(ARGV[19])
demand(p, NOW + IDLE)
local function refuse()
  local budgets = {0}
  if ep > 0 then budgets[2] = ep end
  for _, b in ipairs(budgets) do
    local paused = get('pause' .. b)
    if paused ~= nil and paused > NOW then return b, paused end
  end
  if get('lim0') == nil then
    if st['probe'] ~= nil then return 0, nil end
    return nil, nil
  end
  if ep > 0 then recover(ep) end
  for _, b in ipairs(budgets) do
    local c = ceiling(b, p)
    if c ~= nil then
      local u = used(b)
      if u + credits > c then
        if b ~= 0 and get('cap' .. b) ~= nil then set('capd' .. b, 1) end
        return b, whenFits(b, u + credits - c, false)
      end
    end
  end
  if unv == 1 then
    local c = unverifiedCeiling() or 1
    local u = used(5)
    if u + credits > c then return 5, whenFits(5, u + credits - c, false) end
  end
  if isRisky(ep, credits) and st['risky'] ~= nil then return ep, nil end
  return nil, nil
end
local blocked, retryAt = refuse()
local out
if blocked ~= nil then
  if retryAt ~= nil then demand(p, retryAt) end
  out = {0, blocked, retryAt or -1}
else
  local unknown = get('lim0') == nil
  local risky = (not unknown) and isRisky(ep, credits)
  local id = add(ep, credits, unv)
  if unknown then set('probe', id) elseif risky then set('risky', id) end
  out = {1, tonumber(id), -1}
end
save()
return tail(out)
`;

/**
 * `id, status, charged, total, remaining, retryAfter, guess name, guess limits x5` (a learned
 * total's likely plan, from `planForTotal`) → tail.
 */
const SETTLE = `
prune(); heartbeat()
local id, status = ARGV[16], tonumber(ARGV[17])
local charged, total, remaining, retryAfter = num(ARGV[18]), num(ARGV[19]), num(ARGV[20]), num(ARGV[21])
local f = land(id)
if total ~= nil then
  if (st['source'] or 'unknown') == 'unknown' then
    set('plan', ARGV[22]); set('source', 'learned')
    for b = 0, 4 do set('lim' .. b, num(ARGV[23 + b])) end
    for e = 1, 4 do if get('lim' .. e) ~= nil then set('prov' .. e, 0) end end
  end
  set('lim0', total)
end
if status == 429 then
  on429(f, retryAfter)
elseif f ~= nil then
  local c = charged or f.credits
  if c > f.credits then bumpCum(slotsOf(f.ep, f.unv, c - f.credits), true) end
  count(f.ep, f.unv, c, NOW + W)
  local prov = f.ep > 0 and get('prov' .. f.ep) or nil
  if prov ~= nil then
    local held = math.max(prov, used(f.ep))
    local limit = get('lim' .. f.ep)
    if limit ~= nil and held >= limit then set('prov' .. f.ep, nil) else set('prov' .. f.ep, held) end
  end
  if remaining ~= nil then
    set('rep', remaining); set('repAt', NOW)
    local limit = get('lim0')
    if limit ~= nil then
      local others = limit - remaining - used(0)
      if others > 0 then
        countSlots({others, 0, 0, 0, 0, 0}, NOW + W)
        bump('cum0', others)
      end
    end
  end
end
save()
return tail({})
`;

/**
 * Answers that could not be told while Redis was away, then this replica's own spending meanwhile.
 * ARGV: `n` then n × (`a` abandon | `c` cancel | `s` settle, id, credits, age ms), then m × (expiry
 * in ms from now, six slot sums) → tail.
 */
const REJOIN = `
prune(); heartbeat()
local n = tonumber(ARGV[16])
local i = 17
for _ = 1, n do
  local kind, id, credits, age = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  i = i + 4
  local f = land(id)
  if f ~= nil and kind ~= 'c' and credits > 0 then count(f.ep, f.unv, credits, NOW - age + W) end
end
while i + 6 <= #ARGV do
  local expiresIn = tonumber(ARGV[i])
  local sums = {}
  for s = 0, 5 do sums[s + 1] = tonumber(ARGV[i + 1 + s]) end
  countSlots(sums, NOW + expiresIn)
  bumpCum(sums, true)
  i = i + 7
end
save()
return tail({})
`;

/** `id, age ms`: a granted call that got no answer, counted from `age` ago → tail. */
const ABANDON = `
prune(); heartbeat()
local f = land(ARGV[16])
if f ~= nil then count(f.ep, f.unv, f.credits, NOW - tonumber(ARGV[17]) + W) end
save()
return tail({})
`;

/** `id`: a grant never used → tail. */
const CANCEL = `
prune(); heartbeat()
land(ARGV[16])
save()
return tail({})
`;

/** `total, 4 endpoint demands, priority, unverified` → `[wait ms | -1 for never, ...tail]`. */
const WAIT_FOR = `
prune(); heartbeat()
local p, unv = ARGV[21], tonumber(ARGV[22])
demand(p, NOW + IDLE)
local wait = 0
local never = false
local checks = {}
for b = 0, 4 do checks[#checks + 1] = {b, ceiling(b, p), tonumber(ARGV[16 + b])} end
if unv == 1 then checks[#checks + 1] = {5, unverifiedCeiling(), tonumber(ARGV[16])} end
for _, check in ipairs(checks) do
  local s, c, credits = check[1], check[2], check[3]
  if not never and credits > 0 and c ~= nil then
    if c == 0 then
      never = true
    else
      local paused = 0
      if s ~= 5 then paused = math.max(0, (get('pause' .. s) or 0) - NOW) end
      local u = used(s)
      local at
      if credits <= c then
        at = whenFits(s, u + credits - c, true) or NOW
      else
        at = (whenFits(s, u, true) or NOW) + (math.ceil(credits / c) - 1) * W
      end
      wait = math.max(wait, paused, at - NOW)
    end
  end
end
save()
if never then return tail({-1}) end
return tail({wait})
`;

/** → JSON `{plan, source, now, replicas, rep, repAt, budgets: [[slot, limit, used, resetAt, pausedUntil, proven]]}`. */
const SNAPSHOT = `
prune(); heartbeat()
local budgets = {}
for b = 0, 4 do
  if b == 0 or get('lim' .. b) ~= nil then
    if b > 0 then recover(b) end
    local cap = nil
    if b > 0 then cap = get('cap' .. b) end
    local limit = cap or get('lim' .. b)
    if limit ~= nil and FACTOR < 1 then limit = math.floor(limit * FACTOR) end
    local paused = get('pause' .. b)
    if paused ~= nil and paused <= NOW then paused = nil end
    local proven = nil
    if b > 0 then
      if cap ~= nil then proven = get('capp' .. b) else proven = get('prov' .. b) end
    end
    budgets[#budgets + 1] = {b, limit or -1, used(b), resetAt(b) or -1, paused or -1, proven or -1}
  end
end
save()
return cjson.encode({
  plan = st['plan'] or '', source = st['source'] or 'unknown', now = NOW, replicas = REPLICAS,
  rep = get('rep') or -1, repAt = get('repAt') or -1, budgets = budgets,
})
`;

/** A heartbeat alone → tail. */
const HEARTBEAT = `
heartbeat()
save()
return tail({})
`;

/** This replica leaves (a clean stop): it is neither live nor missing any more. */
const LEAVE = `
redis.call('ZREM', R, REPLICA)
return 1
`;

export const QUOTA_SCRIPTS = {
  reserve: LIB + RESERVE,
  settle: LIB + SETTLE,
  abandon: LIB + ABANDON,
  cancel: LIB + CANCEL,
  waitFor: LIB + WAIT_FOR,
  snapshot: LIB + SNAPSHOT,
  rejoin: LIB + REJOIN,
  heartbeat: LIB + HEARTBEAT,
  leave: LIB + LEAVE,
} as const;

/** The number of KEYS every quota script takes. */
export const QUOTA_KEYS = 6;
