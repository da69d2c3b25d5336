"""Lua for the Redis room store's presence: atomic, so each departure is reported once.

Every connection is recorded twice: in its room (``qou:room:{lecture}:conn:{user}``, a set of
sids) and in the index of the process that holds it (``qou:instance:{name}:conns``, members
``{lecture}:{user}:{sid}``). A process holds a lease (``qou:instance:{name}:alive``, a key with
a TTL) and is listed in ``qou:instances``. Whoever finds a listed process without a lease
forgets that process's connections, all within one script, so of several processes sweeping
at once exactly one sees (and announces) each user who thereby left. Room keys are built
inside the scripts, which suits a single Redis (not Redis Cluster).
"""

from __future__ import annotations

INSTANCES_KEY = "qou:instances"


def instance_key(instance: str, part: str) -> str:
    return f"qou:instance:{instance}:{part}"


LEASE = """
local instances = KEYS[1]
local mode, me, lease = ARGV[1], ARGV[2], ARGV[3]
local function key(iid, part) return 'qou:instance:' .. iid .. ':' .. part end

local function prune(iid, left)
  local index = key(iid, 'conns')
  for _, entry in ipairs(redis.call('SMEMBERS', index)) do
    local lecture, user, sid = string.match(entry, '^(%d+):(%d+):(.+)$')
    if lecture then
      local room = 'qou:room:' .. lecture .. ':'
      local conn = room .. 'conn:' .. user
      if redis.call('SREM', conn, sid) == 1 and redis.call('SCARD', conn) == 0 then
        redis.call('SREM', room .. 'users', user)
        redis.call('HDEL', room .. 'people', user)
        left[#left + 1] = lecture
        left[#left + 1] = user
      end
    end
  end
  redis.call('DEL', index)
  redis.call('SREM', instances, iid)
end

local left, lapsed = {}, 0
if mode == 'beat' then
  if redis.call('EXISTS', key(me, 'alive')) == 0 then lapsed = 1 end
else
  prune(me, left)
end
if mode == 'stop' then
  redis.call('DEL', key(me, 'alive'))
else
  redis.call('SET', key(me, 'alive'), '1', 'PX', lease)
  redis.call('SADD', instances, me)
  for _, iid in ipairs(redis.call('SMEMBERS', instances)) do
    if redis.call('EXISTS', key(iid, 'alive')) == 0 then prune(iid, left) end
  end
end
return {lapsed, left}
"""
"""ARGV mode ``start`` (forget what an earlier run of this name left, take the lease, sweep),
``beat`` (renew the lease, sweep; reports whether it had lapsed) or ``stop`` (forget this
process's connections, drop the lease). Returns ``[lapsed, [lecture, user, ...]]``."""

REMOVE = """
redis.call('SREM', KEYS[4], ARGV[3])
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 or redis.call('SCARD', KEYS[1]) > 0 then
  return 0
end
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 1
"""
"""KEYS conn, users, people, index; ARGV sid, user, index entry. 1 when it was the user's last
connection: one step, so a reconnect between the checks cannot lose its roster entry."""
