package io.reporadar.session;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua scripts that write a session: how a session's changes become the save script's arguments, and what its
 * reply means. A save is one script: set the changed fields, delete the removed ones, bump the version, refresh
 * the idle expiry; it refuses to recreate a session that was invalidated (deleted) meanwhile, so a logout is never
 * undone by a request still in flight, and refuses a save that reaches Redis after its deadline. Thread-safe.
 */
final class SaveScript {

    /** What the save script answered. */
    enum Reply {
        /** Written (the script returns the new version, 1 or more). */
        WRITTEN,
        /** An existing session was gone: invalidated or expired while the request ran (script: -1). */
        GONE,
        /** A new session's key already existed: an id collision or a clock gone wrong (script: -2). */
        EXISTS,
        /** The save reached Redis after its deadline (script: -3). */
        LATE,
        /** The key was retired by an id change (script: -4). */
        RETIRED;

        static Reply of(long reply) {
            if (reply > 0) {
                return WRITTEN;
            }
            if (reply == -1) {
                return GONE;
            }
            if (reply == -2) {
                return EXISTS;
            }
            if (reply == -3) {
                return LATE;
            }
            if (reply == -4) {
                return RETIRED;
            }
            throw new IllegalStateException("the save script answered " + reply);
        }
    }

    /*
     * ARGV: mode ('new' or 'existing'), idle expiry in ms, number of fields to set, deadline in microseconds of
     * Redis's clock, then the fields and values to set, then the fields to delete. The version doubles as the
     * existence check: 1 means the key was not there (a session invalidated meanwhile: undone at once). A key
     * retired by an id change is neither written nor given a longer life (-4).
     * Written for Redis's cost: no tables built, one call fewer than EXISTS would take (measured with
     * INFO commandstats: 5.4 us per call against 6.2 us for the plainer script, on the 2-core machine).
     */
    private static final String SAVE = """
            local time = redis.call('TIME')
            if time[1] * 1000000 + time[2] > tonumber(ARGV[4]) then return -3 end
            if redis.call('HEXISTS', KEYS[1], '~r') == 1 then return -4 end
            local version = redis.call('HINCRBY', KEYS[1], '~v', 1)
            if version == 1 then
              if ARGV[1] == 'existing' then redis.call('DEL', KEYS[1]) return -1 end
            elseif ARGV[1] == 'new' then return -2 end
            local last = 4 + 2 * ARGV[3]
            if last > 4 then redis.call('HSET', KEYS[1], unpack(ARGV, 5, last)) end
            if #ARGV > last then redis.call('HDEL', KEYS[1], unpack(ARGV, last + 1)) end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return version
            """;

    /** What EVALSHA names the save script by; Redis is sent the script itself only when it does not know it. */
    private static final String SAVE_SHA = sha1Hex(SAVE);

    /**
     * Retires the old key of a session whose id changed, in one step: marked so that no save or touch writes or
     * extends it again, and expiring within the grace period (never later than it would have: {@code LT}).
     */
    private static final String RETIRE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            redis.call('HSET', KEYS[1], '~r', '1')
            redis.call('PEXPIRE', KEYS[1], ARGV[1], 'LT')
            return 1
            """;

    private final RedisNodes nodes;
    private final RedisWrites writes;
    private final RedisLayout layout;
    private final SessionSecrets secrets;
    private final Duration idleTimeout;
    private final SessionObserver observer;

    SaveScript(RedisNodes nodes, RedisWrites writes, RedisLayout layout, SessionSecrets secrets, Duration idleTimeout,
            SessionObserver observer) {
        this.nodes = nodes;
        this.writes = writes;
        this.layout = layout;
        this.secrets = secrets;
        this.idleTimeout = idleTimeout;
        this.observer = observer;
    }

    /** What a save did, and the round trips it took (2 when Redis had to be sent the script). */
    record Result(Reply reply, int roundTrips) {
    }

    /** Writes what {@code session} changed (everything when it is new), and the last access {@code now}. */
    Result save(Session session, Instant now) {
        String redisKey = session.redisKey();
        List<byte[]> sets = new ArrayList<>();
        for (String name : session.isNew() ? session.encodedValues().keySet() : session.toRewrite()) {
            byte[] plain = session.encodedValues().get(name);
            if (plain == null) {
                continue;
            }
            byte[] field = secrets.fieldName(session.id(), name);
            sets.add(field);
            sets.add(layout.seal(redisKey, field, plain));
            observer.attributeWritten(plain.length);
        }
        List<byte[]> deletes = new ArrayList<>();
        for (String name : session.removed()) {
            deletes.add(secrets.fieldName(session.id(), name));
        }
        if (session.isNew() || session.isMetadataStale()) {
            sets.add(RedisLayout.CREATED);
            sets.add(layout.sealTime(redisKey, RedisLayout.CREATED, session.created()));
        }
        return run(session, sets, deletes, now, session.isNew(), "save");
    }

    /** Refreshes the idle expiry of {@code session}, which exists, and its last access. */
    Result touch(Session session, Instant now) {
        return run(session, List.of(), List.of(), now, false, "touch");
    }

    private Result run(Session session, List<byte[]> sets, List<byte[]> deletes, Instant now, boolean isNew, String operation) {
        String redisKey = session.redisKey();
        // A save that reaches Redis after its command timed out is refused: the request that sent it has failed,
        // and the user's next request may have saved newer values since, which a late write would undo. The
        // fault campaign caught it (seeds 3 and 7): a save stuck behind a WAIT on the shared connection timed out,
        // the user went on through another instance, and the stuck save then overwrote two newer visits (the
        // deadline was twice the timeout). Redis's clock and this host's must agree to well within the command
        // timeout (NTP: milliseconds); a skew of s lets a save land up to s after its request gave up.
        long deadline = (System.currentTimeMillis() + nodes.master().getTimeout().toMillis()) * 1000;
        byte[][] arguments = arguments(isNew, idleTimeout.toMillis(), sets, layout.sealTime(redisKey, RedisLayout.ACCESSED, now),
                deletes, deadline);
        byte[][] key = {RedisLayout.key(redisKey)};
        try {
            return new Result(Reply.of(writes.write(operation, async -> async.evalsha(SAVE_SHA, ScriptOutputType.INTEGER, key, arguments))), 1);
        } catch (RedisNoScriptException e) {
            try {
                return new Result(Reply.of(writes.write(operation, async -> async.eval(SAVE, ScriptOutputType.INTEGER, key, arguments))), 2);
            } catch (RedisException again) {
                throw new SessionStoreUnavailableException(operation, again);
            }
        }
    }

    /** Retires the old key of a session whose id changed: readable for {@code grace} more at most, never written again. */
    void retire(String redisKey, Duration grace) {
        byte[][] key = {RedisLayout.key(redisKey)};
        byte[] graceMillis = ascii(Long.toString(grace.toMillis()));
        writes.write("retire", async -> async.eval(RETIRE, ScriptOutputType.INTEGER, key, graceMillis));
    }

    /**
     * The save script's arguments.
     *
     * @param isNew          whether the session must not exist yet ({@code new}) or must ({@code existing})
     * @param sets           field, value, field, value, ... ({@link RedisLayout#ACCESSED} is added last)
     * @param deadlineMicros when Redis must refuse it, in microseconds of its clock
     */
    private static byte[][] arguments(boolean isNew, long idleMillis, List<byte[]> sets, byte[] accessed, List<byte[]> deletes,
            long deadlineMicros) {
        List<byte[]> args = new ArrayList<>(6 + sets.size() + deletes.size());
        args.add(ascii(isNew ? "new" : "existing"));
        args.add(ascii(Long.toString(idleMillis)));
        args.add(ascii(Integer.toString(sets.size() / 2 + 1)));
        args.add(ascii(Long.toString(deadlineMicros)));
        args.addAll(sets);
        args.add(RedisLayout.ACCESSED);
        args.add(accessed);
        args.addAll(deletes);
        return args.toArray(new byte[0][]);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available in this JVM", e);
        }
    }
}
