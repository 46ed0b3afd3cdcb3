"""The Redis limiter: the admission rules as atomic Lua, on the Redis server's clock."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from whatsapp_saas.delivery.common import keys
from whatsapp_saas.delivery.govern.admission import Admission, Verdict, Why

_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bulk = ARGV[3] == '1'
local window = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - 60000)
local function wait_for(key, limit, span)
  local n = redis.call('ZCARD', key)
  if n < limit then return 0 end
  local e = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
  -- a slot still in flight is dated in the future; it frees a window after it finishes,
  -- which is likely soon: estimate as if it finished now (the caller asks again anyway)
  return math.min(tonumber(e[2]), now) + span - now + 1
end
local limit = tonumber(ARGV[4])
if bulk then limit = math.max(1, math.floor(limit * tonumber(ARGV[6]))) end
local wait = wait_for(KEYS[1], limit, window)
local why = 1
if bulk then
  local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
  if nxt - now > wait then wait = nxt - now; why = 2 end
end
local tpm = tonumber(ARGV[10])
if tpm > 0 then
  local w = wait_for(KEYS[4], tpm, 60000)
  if w > wait then wait = w; why = 3 end
end
if bulk then
  local cap = tonumber(ARGV[9])
  if cap > 0 and redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 0
     and redis.call('SCARD', KEYS[3]) >= cap then return {4, 0} end
  local tpd = tonumber(ARGV[11])
  if tpd > 0 and redis.call('SISMEMBER', KEYS[5], ARGV[2]) == 0
     and redis.call('SCARD', KEYS[5]) >= tpd then return {5, 0} end
end
if wait > 0 then return {why, wait} end
local hold = tonumber(ARGV[7])
redis.call('ZADD', KEYS[1], now + hold, ARGV[1])
redis.call('PEXPIRE', KEYS[1], window + hold + 1000)
redis.call('ZADD', KEYS[4], now + hold, ARGV[1])
redis.call('PEXPIRE', KEYS[4], 60000 + hold + 1000)
if bulk then
  local gap = tonumber(ARGV[8])
  redis.call('SET', KEYS[2], now + gap, 'PX', gap + 1000)
end
local ttl = tonumber(ARGV[12])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ttl)
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('EXPIRE', KEYS[5], ttl)
return {0, now}
"""

# Re-date a finished send's slots to now (XX: never resurrect a slot that already expired).
_DONE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
redis.call('ZADD', KEYS[2], 'XX', now, ARGV[1])
return now
"""

_WHY = {1: Why.RATE, 2: Why.GAP, 3: Why.TENANT_MINUTE, 4: Why.DAILY_CAP, 5: Why.TENANT_DAY}


def _keys(req: Admission) -> list[str]:
    day = f"{req.day_start:%Y%m%d}"
    return [
        keys.governor(f"n:{req.number_id}:w"),
        keys.governor(f"n:{req.number_id}:gap"),
        keys.governor(f"n:{req.number_id}:d:{day}"),
        keys.governor(f"t:{req.tenant_id}:w"),
        keys.governor(f"t:{req.tenant_id}:d:{day}"),
    ]


class RedisLimiter:
    """Holds across every worker process: the script runs atomically on the Redis server."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client
        self._admit = client.register_script(_ADMIT)
        self._done = client.register_script(_DONE)

    async def admit_many(self, requests: list[Admission], inflight: float) -> list[Verdict]:
        if not requests:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for req in requests:
            await self._admit(keys=_keys(req), args=_args(req, inflight), client=pipe)
        replies = await pipe.execute()
        return [_verdict(req, reply) for req, reply in zip(requests, replies, strict=True)]

    async def done(self, admitted: list[tuple[Admission, Any]]) -> None:
        if not admitted:
            return
        pipe = self.redis.pipeline(transaction=False)
        for req, _ in admitted:
            keys = _keys(req)
            await self._done(keys=[keys[0], keys[3]], args=[req.member], client=pipe)
        await pipe.execute()


def _args(req: Admission, inflight: float) -> list[Any]:
    lim = req.limits
    day_ttl = int((req.day_end - req.day_start).total_seconds()) + 3600
    return [
        req.member,
        req.message_id,
        "1" if req.bulk else "0",
        lim.rate_count,
        int(lim.rate_window * 1000),
        repr(lim.bulk_share),
        int(inflight * 1000),
        int(req.gap * 1000),
        lim.daily_cap,
        lim.tenant_per_minute,
        lim.tenant_per_day,
        day_ttl,
    ]


def _verdict(req: Admission, reply: list[Any]) -> Verdict:
    code, value = int(reply[0]), int(reply[1])
    if code == 0:
        return Verdict(True, ticket=value)
    why = _WHY[code]
    if why in (Why.DAILY_CAP, Why.TENANT_DAY):
        return Verdict(False, why=why)
    return Verdict(False, wait=value / 1000, why=why)
