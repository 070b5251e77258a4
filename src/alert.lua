#!lua
-- alert.lua -- one alert decision, applied whole or not at all.
--
-- Sent with EVAL by alerter.c. An alert decision is a state transition
-- (the early-warning state of an indicator, or the last period summarized)
-- plus, when it sends something, the message: an entry in the alerts
-- stream and one outbox delivery per channel. Doing both in one script
-- means a due alert is never lost (the state does not move without the
-- message) and never queued twice (the state moves with it).
--
-- The transition is a compare-and-set: the daemon read the state, decided,
-- and sends the value it read. When the state changed meanwhile (a reply
-- lost to a reconnect, whose script did run), nothing happens and 0 is
-- returned; the next check decides again from the new state.
--
-- KEYS[1] alerts:state (hash)   KEYS[2] alerts (stream)
-- KEYS[3] outbox (hash)         KEYS[4] outbox:due (zset)
--
-- ARGV[1] "ta1" (protocol)
-- ARGV[2] state field           ARGV[3] expected value ("" = absent)
-- ARGV[4] new value             ARGV[5] stream MAXLEN (~)
-- ARGV[6] now, unix ms (first delivery attempt)
-- ARGV[7] alert id ("" = a state change only, nothing is sent)
-- ARGV[8] kind   ARGV[9] period   ARGV[10] indicator   ARGV[11] subject
-- ARGV[12] created (unix s)     ARGV[13] channels ("mail,webhook")
-- ARGV[14] n, then n x (channel, payload)
--
-- Returns 1 when applied, 0 when the state had moved.

local function fail(msg)
	error({ err = 'TELEQ ' .. msg })
end

if ARGV[1] ~= 'ta1' then
	fail('protocol mismatch: script and daemon differ')
end

local cur = redis.call('HGET', KEYS[1], ARGV[2])
if not cur then
	cur = ''
end
if cur ~= ARGV[3] then
	return 0
end

local id = ARGV[7]
local n = tonumber(ARGV[14])
if id ~= '' and (not n or n < 0 or #ARGV ~= 14 + 2 * n) then
	fail('bad delivery count')
end

redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
if id == '' then
	return 1
end

redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*',
	'id', id, 'kind', ARGV[8], 'period', ARGV[9], 'indicator', ARGV[10],
	'subject', ARGV[11], 'created', ARGV[12], 'channels', ARGV[13])
for i = 0, n - 1 do
	local member = id .. '|' .. ARGV[15 + 2 * i]
	redis.call('HSET', KEYS[3], member, ARGV[16 + 2 * i])
	redis.call('ZADD', KEYS[4], ARGV[6], member)
end
return 1
