"""Redis-backed cluster store: two EVALs per article, assign-or-create atomic across replicas.

Keys (all expire ``window`` after the last report): ``{newsalert:cluster}:k:<bucket>`` zset of
cluster ids scored by report time; ``...:c:<id>`` hash (kind, opened, head, casualties, alerted,
words),
``...:c:<id>:facts|novelty|feeds`` sets, ``...:c:<id>:members`` list of JSON reports,
``...:a:<article id>`` the assignment of an article (a redelivery gets the same answer).
The scripts build key names from the prefix, so its hash tag keeps them all in one Redis
Cluster slot.
"""

import json
from typing import Any

from redis.asyncio import Redis

from services.classifier.clustering import similarity
from services.classifier.clustering.model import (
    MAX_CANDIDATES,
    MAX_MEMBERS_SCORED,
    PER_KEY,
    Assignment,
    Candidate,
    Plan,
)
from shared import streams

PREFIX = streams.slot_prefix(streams.STORY_SLOT)

# KEYS: the first bucket (routes the call to the slot). ARGV: prefix, since, max, buckets
# (space-joined). Returns {id, words, facts-joined, opened, head, ...}.
_CANDIDATES = f"local PER_KEY = {PER_KEY}\n" + """
local seen, out = {}, {}
for bucket in string.gmatch(ARGV[4], '%S+') do
  local key = ARGV[1] .. 'k:' .. bucket
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', key, '+inf', ARGV[2], 'LIMIT', 0, PER_KEY)) do
    if not seen[id] and #out < 5 * tonumber(ARGV[3]) then  -- 5 entries per cluster
      seen[id] = true
      local fields = redis.call('HMGET', ARGV[1] .. 'c:' .. id, 'words', 'opened', 'head')
      if fields[1] then
        local facts = redis.call('SMEMBERS', ARGV[1] .. 'c:' .. id .. ':facts')
        table.insert(out, id); table.insert(out, fields[1])
        table.insert(out, table.concat(facts, ' ')); table.insert(out, fields[2] or '0')
        table.insert(out, fields[3] or '')
      end
    end
  end
end
return out
"""

# KEYS: the first bucket. ARGV: prefix, article, cluster ('' = create), new id, since, when, ttl,
# seen (space-joined), words, member json, feed, casualties, alerting, kind, facts, novelty,
# max candidates, buckets (space-joined).
# Returns {cluster, is_update, sources, reasons...} or {} when the caller must retry.
_COMMIT = f"local PER_KEY, MAX_MEMBERS = {PER_KEY}, {MAX_MEMBERS_SCORED}\n" + """
local p, ttl = ARGV[1], tonumber(ARGV[7])
local buckets = {}
for bucket in string.gmatch(ARGV[18], '%S+') do table.insert(buckets, p .. 'k:' .. bucket) end
local done = redis.call('GET', p .. 'a:' .. ARGV[2])
if done then return cjson.decode(done) end
local created, cid = ARGV[3] == '', ARGV[3]
if created then
  local seen = {}
  for id in string.gmatch(ARGV[8], '%S+') do seen[id] = true end
  -- the same walk as the candidates script (latest PER_KEY per bucket, at most ARGV[17] live
  -- clusters): a cluster in it that the caller did not score was created meanwhile
  local walked, count = {}, 0
  for _, key in ipairs(buckets) do
    local ids = redis.call('ZREVRANGEBYSCORE', key, '+inf', ARGV[5], 'LIMIT', 0, PER_KEY)
    for _, id in ipairs(ids) do
      if not walked[id] and count < tonumber(ARGV[17]) then
        walked[id] = true
        if redis.call('EXISTS', p .. 'c:' .. id) == 1 then
          if not seen[id] then return {} end
          count = count + 1
        end
      end
    end
  end
  cid = ARGV[4]
elseif redis.call('EXISTS', p .. 'c:' .. cid) == 0 then
  return {}
end
local c = p .. 'c:' .. cid
local reasons = {}
for item in string.gmatch(ARGV[16], '%S+') do
  if redis.call('SADD', c .. ':novelty', item) == 1 and not created then
    table.insert(reasons, item)
  end
end
local dead = tonumber(ARGV[12])
if dead > tonumber(redis.call('HGET', c, 'casualties') or '0') then
  redis.call('HSET', c, 'casualties', dead)
  if not created then table.insert(reasons, 'casualties:' .. dead) end
end
for fact in string.gmatch(ARGV[15], '%S+') do redis.call('SADD', c .. ':facts', fact) end
redis.call('SADD', c .. ':feeds', ARGV[11])
redis.call('RPUSH', c .. ':members', ARGV[10])
if redis.call('HLEN', c) == 0 or created then
  -- the first report's profile: what the alert said, checked by every later report
  redis.call('HSET', c, 'kind', ARGV[14], 'opened', ARGV[6], 'head', ARGV[9])
end
local words = redis.call('HGET', c, 'words')
if not words then redis.call('HSET', c, 'words', ARGV[9])
else
  -- keep the latest MAX_MEMBERS member profiles (resemblance decays with time)
  words = words .. '|' .. ARGV[9]
  if select(2, string.gsub(words, '|', '')) >= MAX_MEMBERS then
    words = string.gsub(words, '^[^|]*|', '')
  end
  redis.call('HSET', c, 'words', words)
end
local first_alert = ARGV[13] == '1' and redis.call('HGET', c, 'alerted') ~= '1'
if ARGV[13] == '1' then redis.call('HSET', c, 'alerted', '1') end
for _, suffix in ipairs({'', ':facts', ':novelty', ':feeds', ':members'}) do
  redis.call('EXPIRE', c .. suffix, ttl)
end
for _, key in ipairs(buckets) do
  redis.call('ZADD', key, 'GT', ARGV[6], cid)
  -- only the latest PER_KEY are ever read (older ones are filtered by score on reading)
  if redis.call('ZCARD', key) > PER_KEY then
    redis.call('ZREMRANGEBYRANK', key, 0, -PER_KEY - 1)
  end
  redis.call('EXPIRE', key, ttl)
end
local result = {cid, (created or first_alert) and 0 or 1, redis.call('SCARD', c .. ':feeds')}
for _, r in ipairs(reasons) do table.insert(result, r) end
redis.call('SET', p .. 'a:' .. ARGV[2], cjson.encode(result), 'EX', ttl)
return result
"""


class RedisStore:
    """The production store; ``redis`` is the classifier's state client."""

    def __init__(self, redis: Redis, prefix: str = PREFIX) -> None:
        self.redis, self.prefix = redis, prefix
        self._candidates = redis.register_script(_CANDIDATES)
        self._commit = redis.register_script(_COMMIT)

    def _route(self, keys: list[str]) -> list[str]:
        # Bucket names travel as one argument (packing ~40 keys per call cost more than the
        # scripts' own work); the one declared key routes the call on a Redis Cluster, where
        # every key of the store shares the prefix's hash tag and so the slot.
        return [f"{self.prefix}k:{keys[0]}"] if keys else [f"{self.prefix}k:"]

    async def candidates(self, keys: list[str], since: float) -> list[Candidate]:
        """Open clusters under any bucket, with their member word sets and facts."""
        raw: list[Any] = await self._candidates(
            keys=self._route(keys), args=[self.prefix, since, MAX_CANDIDATES, " ".join(keys)])
        out = []
        for i in range(0, len(raw), 5):
            cid, words, facts, opened, head = (streams.text(v) for v in raw[i:i + 5])
            out.append(Candidate(cid, [similarity.Profile.decode(w) for w in words.split("|")],
                                 set(facts.split()), float(opened),
                                 similarity.Profile.decode(head) if head else None))
        return out

    async def commit(self, plan: Plan) -> Assignment | None:
        """Run the atomic assign-or-create; None means 'retry with fresh candidates'."""
        feat = plan.features
        args: list[str | int | float] = [
                self.prefix, plan.article_id, plan.cluster_id or "", plan.new_id,
                feat.when - plan.window, feat.when, max(int(plan.window), 1), " ".join(plan.seen),
                feat.profile.encode(), json.dumps(plan.member), plan.member["feed"],
                feat.casualties, "1" if feat.alerting else "0", feat.kind,
                " ".join(sorted(feat.facts)), " ".join(n.replace(" ", "_") for n in feat.novelty),
                MAX_CANDIDATES, " ".join(plan.keys)]
        raw: list[Any] = await self._commit(keys=self._route(plan.keys), args=args)
        if not raw:
            return None
        values = [streams.text(v) for v in raw]
        return Assignment(values[0], values[1] == "1", int(values[2]), values[3:])


async def show(redis: Redis, cluster_id: str, prefix: str = PREFIX) -> dict[str, Any] | None:
    """A cluster for ``events show``: reports in order, merged facts, source count."""
    key = f"{prefix}c:{cluster_id}"
    info = await redis.hgetall(key)
    if not info:
        return None
    members = await redis.lrange(f"{key}:members", 0, -1)
    facts = await redis.smembers(f"{key}:facts")
    novelty = await redis.smembers(f"{key}:novelty")
    return {"id": cluster_id, "kind": streams.text(info.get(b"kind", info.get("kind", ""))),
            "reports": [json.loads(m) for m in members],
            "facts": sorted(streams.text(f) for f in facts),
            "novelty": sorted(streams.text(n) for n in novelty),
            "sources": await redis.scard(f"{key}:feeds")}
