package io.reporadar.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of a queue: one per state change, each atomic, each timing itself with Redis's {@code TIME}
 * (one clock for every instance). Every script gets the same keys, all in one hash slot:
 * {@code KEYS = ready, active, completed, failed, cancelled, wake}, and {@code ARGV[1]} the prefix of the job
 * hashes, {@code ARGV[2]} the retention of finished jobs in ms; the rest is the script's own.
 *
 * <p>Replies are tables; a holder's writes (renew, progress, complete, fail, release) first check the lease
 * token and answer {@link #REFUSED} when it does not match, so a holder that lost its lease can change nothing,
 * and {@link #ALREADY} when this very token already finished the job (a retried write whose first reply was
 * lost). Stateless.
 */
final class Scripts {

    /** The holder's token does not match: its lease was lost (expired and taken over, or the job is gone). */
    static final long REFUSED = 0;
    /** Done as asked: completed, retry scheduled, handed back, renewed. */
    static final long DONE = 1;
    /** A cancel reached the job: it was recorded as cancelled instead (renew: still renewed, but asked to stop). */
    static final long CANCELLED = 2;
    /** This token already finished the job: an earlier try of the same write went through. */
    static final long ALREADY = 3;
    /** The failed attempt was the last: the job failed for good. */
    static final long FAILED = 4;

    /** How many fields of a job's hash the scripts' {@code info} returns (after a leading flag and Redis's time). */
    static final int INFO_FIELD_COUNT = 11;

    /*
     * A job's hash: type, payload (ciphertext), state (queued | active | completed | failed | cancelled), attempts
     * (runs started), max, backoff (ms), progress, token (of the lease now, '' when none), ftoken (the token that
     * last settled it: finished, retried or handed back), cancel ('1' once a cancel reached it), created, run,
     * started, finished (ms of Redis's clock), error, result (ciphertext, once completed), dupes (enqueues of the
     * same id). Waiting and delayed are both 'queued': due or not is run <= now.
     */
    private static final String COMMON = """
            local ready, active, completed, failed, cancelled, wake = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
            local prefix, retention = ARGV[1], tonumber(ARGV[2])
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local function ms(x) return string.format('%d', x) end
            local nowText = ms(now)
            -- one element at most on the wake list: an idle worker's BLPOP takes it (LLEN is 0 while one waits)
            local function wakeUp()
              if redis.call('LLEN', wake) == 0 then redis.call('LPUSH', wake, '1') end
            end
            -- ... more fields to write with the state (ftoken, error, result)
            local function finish(key, id, state, set, ...)
              redis.call('HSET', key, 'state', state, 'finished', nowText, 'token', '', ...)
              redis.call('PEXPIRE', key, retention)
              redis.call('ZADD', set, nowText, id)
              redis.call('ZREMRANGEBYSCORE', set, '-inf', ms(now - retention))
            end
            -- How every holder write that ends its lease (complete, fail, release) begins: the reply when the token
            -- does not hold the lease (ALREADY when it last settled the job, REFUSED else) or a cancel reached the job
            -- (CANCELLED, recorded as such); nil to go on. v = HMGET token, cancel, ftoken, ...
            local function settle(key, id, token, v, err)
              if v[1] ~= token then
                if v[3] == token then return {3} end
                return {0}
              end
              redis.call('ZREM', active, id)
              if v[2] == '1' then
                if err then finish(key, id, 'cancelled', cancelled, 'ftoken', token, 'error', err)
                else finish(key, id, 'cancelled', cancelled, 'ftoken', token) end
                return {2}
              end
              return nil
            end
            local function info(out, key)
              local v = redis.call('HMGET', key, 'type', 'state', 'attempts', 'max', 'progress', 'cancel', 'created', 'run',
                  'started', 'finished', 'error')
              for i = 1, 11 do out[#out + 1] = v[i] or '' end
              return out
            end
            -- Jobs whose lease expired go back to ready (or to failed, on a last attempt; to cancelled, when asked):
            -- returns how many were requeued and how many failed.
            local function requeueExpired()
              local requeued, expiredFailed = 0, 0
              local expired = redis.call('ZRANGEBYSCORE', active, '-inf', nowText, 'LIMIT', 0, 100)
              for _, id in ipairs(expired) do
                local key = prefix .. id
                local v = redis.call('HMGET', key, 'state', 'attempts', 'max', 'cancel', 'run')
                redis.call('ZREM', active, id)
                if v[1] == 'active' then
                  if v[4] == '1' then
                    finish(key, id, 'cancelled', cancelled)
                  elseif tonumber(v[2]) >= tonumber(v[3]) then
                    finish(key, id, 'failed', failed, 'error', 'lease expired on attempt ' .. v[2] .. ' of ' .. v[3] .. ' (holder killed, frozen or cut off)')
                    expiredFailed = expiredFailed + 1
                  else
                    redis.call('HSET', key, 'state', 'queued', 'token', '', 'error', 'lease expired on attempt ' .. v[2] .. ' (holder killed, frozen or cut off)')
                    redis.call('ZADD', ready, v[5] or nowText, id)
                    requeued = requeued + 1
                  end
                end
              end
              return requeued, expiredFailed
            end
            -- Puts the job id, just taken off ready, under a lease of the token, when it is queued: appends id, type,
            -- payload, attempt, max attempts and when it was due to out; false when it was not queued.
            local function take(id, token, lease, out)
              local key = prefix .. id
              local v = redis.call('HMGET', key, 'state', 'type', 'payload', 'max', 'run', 'attempts')
              if v[1] ~= 'queued' then return false end
              local attempt = (tonumber(v[6]) or 0) + 1
              redis.call('HSET', key, 'state', 'active', 'token', token, 'started', nowText, 'attempts', attempt)
              redis.call('ZADD', active, ms(now + lease), id)
              out[#out + 1] = id
              out[#out + 1] = v[2]
              out[#out + 1] = v[3] or ''
              out[#out + 1] = attempt
              out[#out + 1] = tonumber(v[4]) or 1
              out[#out + 1] = tonumber(v[5]) or now
              return true
            end
            """;

    /**
     * ARGV[3] backoff ms, then per job: id, type, payload, delay ms, max attempts. A job whose id the queue holds
     * already (or an earlier job of the same call has) is left as it is, its dupes counted. One {@code EXISTS} of
     * every key first: when none exists (the usual case), no job needs an {@code EXISTS} of its own; the new jobs go
     * into ready with one {@code ZADD}. Reply: now, then per job 1 (created: the caller knows what it wrote) or 0
     * followed by the info of the job already there. A new job's hash leaves out attempts, progress and token (read
     * as 0, 0 and '').
     */
    static final Script ENQUEUE = new Script("enqueue", """
            local backoff = ARGV[3]
            local out, keys, seen, scores = {now}, {}, {}, {}
            for i = 4, #ARGV, 5 do keys[#keys + 1] = prefix .. ARGV[i] end
            local anyExists = redis.call('EXISTS', unpack(keys)) > 0
            for j, key in ipairs(keys) do
              local i = j * 5 - 1
              if seen[key] or (anyExists and redis.call('EXISTS', key) == 1) then
                redis.call('HINCRBY', key, 'dupes', 1)
                out[#out + 1] = 0
                info(out, key)
              else
                seen[key] = true
                local run = ms(now + tonumber(ARGV[i + 3]))
                redis.call('HSET', key, 'type', ARGV[i + 1], 'payload', ARGV[i + 2], 'state', 'queued', 'max', ARGV[i + 4],
                    'backoff', backoff, 'created', nowText, 'run', run)
                scores[#scores + 1] = run
                scores[#scores + 1] = ARGV[i]
                out[#out + 1] = 1
              end
            end
            if #scores > 0 then
              redis.call('ZADD', ready, unpack(scores))
              wakeUp()
            end
            return out
            """);

    /** ARGV[3] id. Reply: empty when there is no such job, else 0, now, info. */
    static final Script GET = new Script("get", """
            local key = prefix .. ARGV[3]
            if redis.call('EXISTS', key) == 0 then return {} end
            return info({0, now}, key)
            """);

    /**
     * ARGV[3] id. A queued job is cancelled at once; an active one gets the cancel flag (its holder learns it at its
     * next renewal); a finished one is left alone. Reply: empty when there is no such job, else 0, now, info.
     */
    static final Script CANCEL = new Script("cancel", """
            local id = ARGV[3]
            local key = prefix .. id
            local state = redis.call('HGET', key, 'state')
            if not state then return {} end
            if state == 'queued' then
              redis.call('ZREM', ready, id)
              finish(key, id, 'cancelled', cancelled, 'cancel', '1')
            elseif state == 'active' then
              redis.call('HSET', key, 'cancel', '1')
            end
            return info({0, now}, key)
            """);

    /**
     * ARGV[3] id. A failed or cancelled job is queued again, due now, with its attempts back to 0 and no expiry;
     * any other is left alone. Reply: empty when there is no such job, else 0, now, info.
     */
    static final Script RETRY = new Script("retry", """
            local id = ARGV[3]
            local key = prefix .. id
            local state = redis.call('HGET', key, 'state')
            if not state then return {} end
            if state == 'failed' or state == 'cancelled' then
              redis.call('ZREM', failed, id)
              redis.call('ZREM', cancelled, id)
              redis.call('PERSIST', key)
              redis.call('HDEL', key, 'cancel', 'started', 'finished', 'error', 'ftoken', 'result')
              redis.call('HSET', key, 'state', 'queued', 'attempts', 0, 'progress', 0, 'token', '', 'run', nowText)
              redis.call('ZADD', ready, nowText, id)
              wakeUp()
            end
            return info({0, now}, key)
            """);

    /** ARGV[3] id. Reply: empty when there is no such job, else its state and its result (sealed; '' for none). */
    static final Script RESULT = new Script("result", """
            local v = redis.call('HMGET', prefix .. ARGV[3], 'state', 'result')
            if not v[1] then return {} end
            return {v[1], v[2] or ''}
            """);

    /**
     * Reply: now, waiting (due), delayed, active, then completed, failed and cancelled jobs still retained.
     */
    static final Script COUNTS = new Script("counts", """
            local cutoff = '(' .. ms(now - retention)
            return {now, redis.call('ZCOUNT', ready, '-inf', nowText), redis.call('ZCOUNT', ready, '(' .. nowText, '+inf'),
                redis.call('ZCARD', active), redis.call('ZCOUNT', completed, cutoff, '+inf'),
                redis.call('ZCOUNT', failed, cutoff, '+inf'), redis.call('ZCOUNT', cancelled, cutoff, '+inf')}
            """);

    /**
     * ARGV[3] at most this many, newest first. Reply: now, then per failed job still retained: id and its info
     * (the flag left out).
     */
    static final Script FAILED_JOBS = new Script("failed", """
            local out = {now}
            local ids = redis.call('ZREVRANGEBYSCORE', failed, '+inf', '(' .. ms(now - retention), 'LIMIT', 0, tonumber(ARGV[3]))
            for _, id in ipairs(ids) do
              local key = prefix .. id
              if redis.call('EXISTS', key) == 1 then
                out[#out + 1] = id
                info(out, key)
              end
            end
            return out
            """);

    /** A script: its name (for messages), its source with the common prelude, and its SHA-1 for EVALSHA. */
    record Script(String name, String source, String sha) {

        Script(String name, String body) {
            this(name, COMMON + body, sha1Hex(COMMON + body));
        }
    }

    private Scripts() {
    }

    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available in this JVM", e);
        }
    }
}
