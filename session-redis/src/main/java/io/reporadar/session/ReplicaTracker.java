package io.reporadar.session;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.reporadar.session.SessionObserver.Event;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import java.util.Objects;

/**
 * How many replicas a write waits for ({@code WAIT}), from a count of the master's streaming replicas that
 * {@code INFO replication} keeps current. The count is one immutable {@link Count} behind one atomic reference:
 * concurrent saves read it, and replace it whole, never a field at a time.
 *
 * <p>{@code WAIT} asks for every replica that streams from the master (online, and acknowledging within the last
 * {@value #STREAMING_LAG_SECONDS} s), and at least {@code awaitReplicas} under {@code replica-required}: Sentinel
 * may promote any replica it reaches, choosing by offsets and priorities it read up to seconds before, so every
 * acknowledged write must be on every one of them. A replica that stops acknowledging (frozen, cut off) stops
 * counting once its lag passes that; one that is gone leaves the master's list at once. {@code INFO replication}
 * rides along every 100 ms to keep the count current, and is read before the next save after a {@code WAIT} fell
 * short. A master with no replica streaming acknowledges alone (the replica that rejoins copies everything),
 * unless replicas are required: then the save is refused before anything is written.
 *
 * <p>Thread-safe.
 */
final class ReplicaTracker {

    /**
     * How often a save counts the master's replicas ({@code INFO replication}, sent with the save): a replica
     * that just came online counts after at most this long.
     */
    private static final long CHECK_INTERVAL_NANOS = 100_000_000L;
    /**
     * A replica counts as streaming while its last acknowledgement (one a second) is at most this old
     * ({@code lag} of {@code INFO replication}).
     */
    static final long STREAMING_LAG_SECONDS = 2;

    private final int awaitReplicas;
    private final boolean required;
    private final SessionObserver observer;
    private final AtomicReference<Count> count = new AtomicReference<>(Count.unknown(null));

    ReplicaTracker(int awaitReplicas, boolean required, SessionObserver observer) {
        this.awaitReplicas = awaitReplicas;
        this.required = required;
        this.observer = observer;
    }

    /**
     * What the tracker knows of the master's replicas, counted on {@code on} by one {@code INFO}: how many stream
     * from it ({@code -1}: not counted yet), whether the next save must count again first ({@code recheck}: a
     * {@code WAIT} fell short), and when it last asked.
     */
    private record Count(@Nullable StatefulRedisConnection<byte[], byte[]> on, int streaming, boolean recheck, long checkedNanos) {
        static Count unknown(@Nullable StatefulRedisConnection<byte[], byte[]> on) {
            return new Count(on, -1, false, 0);
        }

        boolean known() {
            return streaming >= 0 && !recheck;
        }

        Count askedAt(long nanos) {
            return new Count(on, streaming, recheck, nanos);
        }

        /** The same count, to be read again before the next save. */
        Count toRecheck() {
            return new Count(on, streaming, true, checkedNanos);
        }

        /** Every streaming replica; under {@code required} at least {@code replicas}. */
        int wanted(int replicas, boolean required) {
            int counted = Math.max(streaming, 0);
            return required ? Math.max(replicas, counted) : counted;
        }
    }

    /**
     * How many replicas a write waits for, and an {@code INFO} sent to recount them, to be read after the write
     * ({@link #recounted}).
     */
    record Replication(int wanted, @Nullable RedisFuture<String> recount) {
    }

    /**
     * How many replicas the write about to be sent on {@code current} must wait for.
     *
     * @throws SessionStoreUnavailableException when fewer than required stream: nothing was written
     */
    Replication before(StatefulRedisConnection<byte[], byte[]> current, RedisAsyncCommands<byte[], byte[]> async, String operation) {
        Count count = current();
        if (count.on() != current) { // the first save, or a failover: the new master's replicas are not the old one's
            Count fresh = Count.unknown(current);
            this.count.compareAndSet(count, fresh);
            count = fresh;
        }
        boolean refusing = required && count.streaming() < awaitReplicas;
        long now = System.nanoTime();
        RedisFuture<String> recount = null;
        // One INFO per interval however many saves run at once (the one that moves the time sends it); every save
        // counts while the count is unknown.
        if (!count.known() || (now - count.checkedNanos() > CHECK_INTERVAL_NANOS && this.count.compareAndSet(count, count.askedAt(now)))) {
            recount = async.info("replication");
        }
        if (recount != null && (!count.known() || refusing)) {
            count = recounted(current, RedisWrites.await(current, recount)); // the count decides this write: read it first
            recount = null;
        }
        int wanted = count.wanted(awaitReplicas, required);
        if (count.streaming() < wanted) { // required replicas missing: refuse before writing anything
            observer.event(Event.WRITE_UNREPLICATED);
            throw new SessionStoreUnavailableException(operation, new RedisException("the master has " + count.streaming()
                    + " replica(s) streaming, " + wanted + " required; nothing was written"));
        }
        return new Replication(wanted, recount);
    }

    /** The count now (never null: the reference starts with an unknown count and is only ever replaced). */
    private Count current() {
        return Objects.requireNonNull(count.get());
    }

    /** A {@code WAIT} on {@code current} fell short: a replica may have stopped, count before the next save. */
    void fellShort(StatefulRedisConnection<byte[], byte[]> current) {
        Count fellShort = current();
        count.compareAndSet(fellShort, fellShort.on() == current ? fellShort.toRecheck() : Count.unknown(current));
    }

    /** Takes the count of an {@code INFO replication} sent with a write ({@link Replication#recount()}). */
    void recount(StatefulRedisConnection<byte[], byte[]> master, String info) {
        recounted(master, info);
    }

    /**
     * Counts the replicas an {@code INFO replication} reply of {@code master} shows streaming: online and
     * acknowledging within {@value #STREAMING_LAG_SECONDS} s.
     */
    private Count recounted(StatefulRedisConnection<byte[], byte[]> master, String info) {
        int streaming = 0;
        if (info.contains("role:master")) {
            for (String line : info.split("\r?\n", -1)) {
                if (line.startsWith("slave") && line.contains("state=online") && lag(line) <= STREAMING_LAG_SECONDS) {
                    streaming++;
                }
            }
        }
        Count counted = new Count(master, streaming, false, System.nanoTime());
        count.set(counted);
        return counted;
    }

    /**
     * The {@code lag=} of a {@code slaveN:} line of {@code INFO replication} (seconds since its last acknowledgement),
     * or {@link Long#MAX_VALUE}. Redis reports {@code lag=-1} for a replica that acknowledged within the current
     * second of its cached clock: read as "no number", it made the count 0 and refused saves for seconds.
     */
    static long lag(String line) {
        int at = line.indexOf("lag=");
        if (at < 0) {
            return Long.MAX_VALUE;
        }
        int start = at + 4;
        int end = start < line.length() && line.charAt(start) == '-' ? start + 1 : start;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        try {
            return Long.parseLong(line.substring(start, end));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        Count now = current();
        return "ReplicaTracker[" + (required ? "required " : "await ") + awaitReplicas + ", streaming " + now.streaming() + "]";
    }
}
