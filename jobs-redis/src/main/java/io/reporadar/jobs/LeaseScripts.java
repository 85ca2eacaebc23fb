package io.reporadar.jobs;

import io.reporadar.jobs.Scripts.Script;

/**
 * The scripts of the jobs workers hold, with the keys and arguments of {@link Scripts}: take due jobs under leases,
 * renew the leases, and the holder's writes (progress, complete, fail, hand back), each of which first checks the
 * lease's token and answers {@link Scripts#REFUSED} when it does not match, {@link Scripts#ALREADY} when this very
 * token already settled the job (a retried write whose first reply was lost). Stateless.
 */
final class LeaseScripts {

    /**
     * ARGV[3] how many jobs to take at most, [4] lease ms, [5..] one token per job. First returns jobs whose lease
     * expired to the queue (or fails them, on their last attempt; cancels them, when asked), then takes due jobs.
     * Reply: now, leases expired and requeued, leases expired on a last attempt, score of the first queued job
     * ('' for none), score of the first lease to expire ('' for none), then per job taken: id, type, payload,
     * attempt, max attempts, when it was due (ms).
     */
    static final Script FETCH = new Script("fetch", """
            local n, lease = tonumber(ARGV[3]), tonumber(ARGV[4])
            local requeued, expiredFailed = requeueExpired()
            local out = {now, requeued, expiredFailed, '', ''}
            if n > 0 then
              local due = redis.call('ZRANGEBYSCORE', ready, '-inf', nowText, 'LIMIT', 0, n)
              if #due > 0 then redis.call('ZREM', ready, unpack(due)) end
              local taken = 0
              for _, id in ipairs(due) do
                if take(id, ARGV[5 + taken], lease, out) then taken = taken + 1 end
              end
              if #due == n and redis.call('ZCOUNT', ready, '-inf', nowText) > 0 then
                wakeUp()
              end
            end
            local first = redis.call('ZRANGE', ready, 0, 0, 'WITHSCORES')
            if first[2] then out[4] = first[2] end
            local lapse = redis.call('ZRANGE', active, 0, 0, 'WITHSCORES')
            if lapse[2] then out[5] = lapse[2] end
            return out
            """);

    /**
     * ARGV[3] lease ms, then id, token, id, token, ... Reply: now, then per job {@link Scripts#DONE} (renewed),
     * {@link Scripts#CANCELLED} (renewed, and a cancel reached it) or {@link Scripts#REFUSED} (the lease is lost).
     */
    static final Script RENEW = new Script("renew", """
            local lease = tonumber(ARGV[3])
            local out = {now}
            for i = 4, #ARGV, 2 do
              local v = redis.call('HMGET', prefix .. ARGV[i], 'token', 'cancel')
              if v[1] == ARGV[i + 1] then
                redis.call('ZADD', active, ms(now + lease), ARGV[i])
                if v[2] == '1' then out[#out + 1] = 2 else out[#out + 1] = 1 end
              else
                out[#out + 1] = 0
              end
            end
            return out
            """);

    /** ARGV[3] id, [4] token, [5] percent. Reply: {@link Scripts#DONE} or {@link Scripts#REFUSED}. */
    static final Script PROGRESS = new Script("progress", """
            local key = prefix .. ARGV[3]
            if redis.call('HGET', key, 'token') ~= ARGV[4] then return {0} end
            redis.call('HSET', key, 'progress', ARGV[5])
            return {1}
            """);

    /**
     * ARGV[3] id, [4] token, [5] the result (sealed; '' for none), [6] a token to take the next due job with ('' to
     * take none), [7] its lease ms. Reply: {@link Scripts#DONE}, {@link Scripts#CANCELLED}, {@link Scripts#ALREADY}
     * or {@link Scripts#REFUSED}; after {@link Scripts#DONE} with a token: now, then the job taken, if the first of
     * ready was due (as {@link #FETCH}'s). Expired leases are left to {@link #FETCH}, which a worker's dispatcher
     * runs at least every poll interval, full or not.
     */
    static final Script COMPLETE = new Script("complete", """
            local id, token = ARGV[3], ARGV[4]
            local key = prefix .. id
            local v = redis.call('HMGET', key, 'token', 'cancel', 'ftoken')
            local settled = settle(key, id, token, v)
            if settled then return settled end
            if ARGV[5] ~= '' then finish(key, id, 'completed', completed, 'ftoken', token, 'result', ARGV[5])
            else finish(key, id, 'completed', completed, 'ftoken', token) end
            if ARGV[6] == '' then return {1} end
            local out = {1, now}
            local first = redis.call('ZPOPMIN', ready)
            if first[2] then
              if tonumber(first[2]) <= now then take(first[1], ARGV[6], tonumber(ARGV[7]), out)
              else redis.call('ZADD', ready, first[2], first[1]) end
            end
            return out
            """);

    /**
     * ARGV[3] id, [4] token, [5] error, [6] a random number in [0, 1) for the jitter. A retry waits backoff x
     * 2^(attempt - 1), plus up to 20 % (jitter), at most an hour. Reply: {@link Scripts#DONE} and the delay in ms (a
     * retry is scheduled), {@link Scripts#FAILED} (that was the last attempt), {@link Scripts#CANCELLED},
     * {@link Scripts#ALREADY} or {@link Scripts#REFUSED}.
     */
    static final Script FAIL = new Script("fail", """
            local id, token, err = ARGV[3], ARGV[4], ARGV[5]
            local key = prefix .. id
            local v = redis.call('HMGET', key, 'token', 'cancel', 'ftoken', 'attempts', 'max', 'backoff')
            local settled = settle(key, id, token, v, err)
            if settled then return settled end
            local attempts, max = tonumber(v[4]), tonumber(v[5])
            if attempts >= max then
              finish(key, id, 'failed', failed, 'ftoken', token, 'error', err)
              return {4}
            end
            local delay = math.min(math.floor((tonumber(v[6]) or 1000) * 2 ^ (attempts - 1) * (1 + 0.2 * tonumber(ARGV[6]))), 3600000)
            redis.call('HSET', key, 'state', 'queued', 'token', '', 'ftoken', token, 'error', err, 'run', ms(now + delay))
            redis.call('ZADD', ready, ms(now + delay), id)
            wakeUp()
            return {1, delay}
            """);

    /**
     * ARGV[3] id, [4] token. Hands a job back at once, in its place in the queue, its attempt not counted.
     * Reply: {@link Scripts#DONE}, {@link Scripts#CANCELLED}, {@link Scripts#ALREADY} or {@link Scripts#REFUSED}.
     */
    static final Script RELEASE = new Script("release", """
            local id, token = ARGV[3], ARGV[4]
            local key = prefix .. id
            local v = redis.call('HMGET', key, 'token', 'cancel', 'ftoken', 'run', 'attempts')
            local settled = settle(key, id, token, v)
            if settled then return settled end
            redis.call('HSET', key, 'state', 'queued', 'token', '', 'ftoken', token, 'attempts', (tonumber(v[5]) or 1) - 1)
            redis.call('ZADD', ready, v[4] or nowText, id)
            wakeUp()
            return {1}
            """);

    private LeaseScripts() {
    }
}
