package io.reporadar.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Every client operation of a fault campaign, in the manner of Jepsen: each is invoked, then ends {@code ok}
 * (it happened), {@code fail} (it did not) or {@code unknown} (it may have: a timeout after the request was
 * sent). The workload is one counter per key, raised by one writer at a time, read by anyone, and deleted by a
 * logout; {@link #check()} judges the whole history.
 *
 * <pre>{@code
 * History history = new History();
 * long op = history.invoke("session-1", History.Kind.WRITE, 7);
 * try { save(7); history.ok(op, 7); } catch (TimeoutException e) { history.unknown(op, "timeout"); }
 * ...
 * History.Report report = history.check();   // lost writes, reads back in time, sessions back after logout
 * }</pre>
 *
 * <p>Times are {@link System#nanoTime()}. Thread-safe.
 */
public final class History {

    /** What an operation does to its key. */
    public enum Kind {
        /** Sets the key's counter to the value given (one more than the writer last read). */
        WRITE,
        /** Reads the counter; ok with the value read, or with {@code null} when the key is gone. */
        READ,
        /** Deletes the key. */
        LOGOUT
    }

    /** How an operation ended. */
    public enum Outcome {
        OK, FAIL, UNKNOWN
    }

    /**
     * One finished operation. {@code value}: what a write set, or what an ok read read; null for a read that found the
     * key gone, for a read that did not end ok, and for a logout. {@code reason}: why one failed or is unknown; null
     * for one that ended ok.
     */
    public record Operation(long id, String key, Kind kind, @Nullable Long value, Outcome outcome, long invokedNanos, long completedNanos,
            @Nullable String reason) {
    }

    /** An operation under way. */
    private record Invoked(String key, Kind kind, @Nullable Long value, long invokedNanos) {
    }

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Invoked> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Operation> completed = new ConcurrentLinkedQueue<>();
    private final long startedNanos = System.nanoTime();
    private volatile long stoppedNanos = Long.MAX_VALUE;

    /**
     * Records the start of an operation and returns its id; {@code value} is what a write sets, else null.
     *
     * @throws IllegalArgumentException for a write without a value
     */
    public long invoke(String key, Kind kind, @Nullable Long value) {
        if (kind == Kind.WRITE && value == null) {
            throw new IllegalArgumentException("invoke " + key + ": a WRITE needs the value it sets");
        }
        long id = ids.incrementAndGet();
        pending.put(id, new Invoked(key, kind, value, System.nanoTime()));
        return id;
    }

    /** The operation happened; for a read, {@code value} is what it read ({@code null}: the key is gone). */
    public void ok(long id, @Nullable Long value) {
        end(id, Outcome.OK, value, true, null);
    }

    /** The operation certainly did not happen, for {@code reason}. */
    public void fail(long id, String reason) {
        end(id, Outcome.FAIL, null, false, reason);
    }

    /** The operation may or may not have happened; {@code reason} says what was seen. */
    public void unknown(long id, String reason) {
        end(id, Outcome.UNKNOWN, null, false, reason);
    }

    /**
     * Marks the end of the workload: operations after it (final reads) are judged, but the longest times
     * without writes and reads are measured up to here.
     */
    public void stop() {
        stoppedNanos = System.nanoTime();
    }

    private void end(long id, Outcome outcome, @Nullable Long value, boolean replaceValue, @Nullable String reason) {
        Invoked invoked = pending.remove(id);
        if (invoked == null) {
            throw new IllegalStateException("operation " + id + " was not invoked, or has ended already");
        }
        Long recorded = replaceValue && invoked.kind() == Kind.READ ? value : invoked.value();
        completed.add(new Operation(id, invoked.key(), invoked.kind(), recorded, outcome, invoked.invokedNanos(), System.nanoTime(), reason));
    }

    /** The operations ended so far, by the time they ended. */
    public List<Operation> operations() {
        List<Operation> all = new ArrayList<>(completed);
        all.sort(Comparator.comparingLong(Operation::completedNanos));
        return all;
    }

    /**
     * What a campaign reports: operations by outcome, the anomalies found (each described), and the longest time
     * without a successful write and without a successful read.
     */
    public record Report(int operations, int ok, int failed, int unknown, List<String> lostWrites, List<String> staleReads,
            List<String> resurrected, Duration longestWithoutWrites, Duration longestWithoutReads, Map<String, Long> reasons) {

        /** Acknowledged writes lost, reads back in time, and sessions back after an acknowledged logout: none. */
        public boolean clean() {
            return lostWrites.isEmpty() && staleReads.isEmpty() && resurrected.isEmpty();
        }

        @Override
        public String toString() {
            return String.format("%d operations (%d ok, %d failed, %d unknown); %d acknowledged writes lost, %d stale reads, %d sessions back"
                    + " after logout; longest without writes %.1f s, without reads %.1f s%s", operations, ok, failed, unknown, lostWrites.size(),
                    staleReads.size(), resurrected.size(), longestWithoutWrites.toMillis() / 1000.0, longestWithoutReads.toMillis() / 1000.0,
                    clean() ? "" : "; first: " + first()) + (reasons.isEmpty() ? "" : "; failed or unknown for: " + reasons);
        }

        private String first() {
            List<String> all = new ArrayList<>(lostWrites);
            all.addAll(staleReads);
            all.addAll(resurrected);
            return all.subList(0, Math.min(3, all.size())).toString();
        }
    }

    /**
     * Judges the history, per key:
     * <ul>
     *   <li>a write acknowledged with value v is <em>lost</em> when a write invoked after it was acknowledged is
     *       acknowledged with a value of v or less (the counter went on from a copy that lacked v: the stale reads
     *       before it do not count it), or when the last read of the key (made after every fault healed) shows
     *       less than v, or the key gone without an acknowledged logout;</li>
     *   <li>a read is <em>stale</em> when it began after a write of v was acknowledged and shows less than v (or
     *       nothing), unless a logout of the key may have happened before it;</li>
     *   <li>a session is <em>resurrected</em> when a read that began after its logout was acknowledged still finds
     *       it.</li>
     * </ul>
     * The longest gaps without a successful write and read run from the first operation to the last.
     */
    public Report check() {
        List<Operation> all = operations();
        Map<String, List<Operation>> byKey = new HashMap<>();
        int ok = 0;
        int failed = 0;
        int unknown = 0;
        for (Operation operation : all) {
            byKey.computeIfAbsent(operation.key(), key -> new ArrayList<>()).add(operation);
            switch (operation.outcome()) {
                case OK -> ok++;
                case FAIL -> failed++;
                case UNKNOWN -> unknown++;
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> resurrected = new ArrayList<>();
        byKey.forEach((key, operations) -> checkKey(key, operations, lost, stale, resurrected));
        Map<String, Long> reasons = new java.util.TreeMap<>();
        all.stream().filter(op -> op.reason() != null).forEach(op -> reasons.merge(op.kind() + " " + op.reason(), 1L, Long::sum));
        return new Report(all.size(), ok, failed, unknown, lost, stale, resurrected, longestGap(all, Kind.WRITE), longestGap(all, Kind.READ),
                reasons);
    }

    private void checkKey(String key, List<Operation> operations, List<String> lost, List<String> stale, List<String> resurrected) {
        long firstLogoutInvoked = operations.stream().filter(op -> op.kind() == Kind.LOGOUT && op.outcome() != Outcome.FAIL)
                .mapToLong(Operation::invokedNanos).min().orElse(Long.MAX_VALUE);
        long logoutAcknowledged = operations.stream().filter(op -> op.kind() == Kind.LOGOUT && op.outcome() == Outcome.OK)
                .mapToLong(Operation::completedNanos).min().orElse(Long.MAX_VALUE);
        List<Operation> writes = operations.stream().filter(op -> op.kind() == Kind.WRITE && op.outcome() == Outcome.OK).toList();
        overwritten(key, writes, lost);
        for (Operation read : operations) {
            if (read.kind() != Kind.READ || read.outcome() != Outcome.OK) {
                continue;
            }
            if (read.invokedNanos() > logoutAcknowledged) {
                if (read.value() != null) {
                    resurrected.add(key + ": read " + read.value() + " " + at(read.invokedNanos()) + ", after its logout was acknowledged "
                            + at(logoutAcknowledged));
                }
                continue;
            }
            if (read.invokedNanos() > firstLogoutInvoked) {
                continue; // the logout may have happened first
            }
            long acknowledged = writes.stream().filter(write -> write.completedNanos() < read.invokedNanos()).mapToLong(History::written)
                    .max().orElse(Long.MIN_VALUE);
            if (acknowledged != Long.MIN_VALUE && (read.value() == null || read.value() < acknowledged)) {
                stale.add(key + ": read " + read.value() + " " + at(read.invokedNanos()) + ", after " + acknowledged + " was acknowledged");
            }
        }
        if (logoutAcknowledged == Long.MAX_VALUE && firstLogoutInvoked == Long.MAX_VALUE && !writes.isEmpty()) {
            Operation last = operations.stream().filter(op -> op.kind() == Kind.READ && op.outcome() == Outcome.OK)
                    .max(Comparator.comparingLong(Operation::invokedNanos)).orElse(null);
            long highest = writes.stream().mapToLong(History::written).max().getAsLong();
            if (last == null || last.invokedNanos() < writes.get(writes.size() - 1).completedNanos()) {
                return; // no read after the last write: nothing to judge by
            }
            if (last.value() == null || last.value() < highest) {
                lost.add(key + ": last read " + last.value() + " " + at(last.invokedNanos()) + ", " + highest + " was acknowledged");
            }
        }
    }

    /** Acknowledged writes that a later acknowledged write, invoked after them, did not build on (a value not above theirs). */
    private void overwritten(String key, List<Operation> writes, List<String> lost) {
        List<Operation> byInvocation = writes.stream().sorted(Comparator.comparingLong(Operation::invokedNanos)).toList();
        long[] lowestFrom = new long[byInvocation.size() + 1]; // the lowest value among writes i.. (by invocation)
        lowestFrom[byInvocation.size()] = Long.MAX_VALUE;
        for (int i = byInvocation.size() - 1; i >= 0; i--) {
            lowestFrom[i] = Math.min(lowestFrom[i + 1], written(byInvocation.get(i)));
        }
        for (Operation write : byInvocation) {
            int later = firstInvokedAfter(byInvocation, write.completedNanos());
            if (lowestFrom[later] <= written(write)) {
                lost.add(key + ": " + written(write) + " acknowledged " + at(write.completedNanos()) + ", later writes went on from "
                        + lowestFrom[later] + " or less");
            }
        }
    }

    /** The value a write set ({@link #invoke} refuses a write without one). */
    private static long written(Operation write) {
        Long value = write.value();
        if (value == null) {
            throw new IllegalStateException("write " + write.id() + " has no value");
        }
        return value;
    }

    private static int firstInvokedAfter(List<Operation> byInvocation, long nanos) {
        int low = 0;
        int high = byInvocation.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (byInvocation.get(middle).invokedNanos() > nanos) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    private Duration longestGap(List<Operation> all, Kind kind) {
        if (all.isEmpty()) {
            return Duration.ZERO;
        }
        long start = all.stream().mapToLong(Operation::invokedNanos).min().getAsLong();
        long end = Math.min(stoppedNanos, all.stream().mapToLong(Operation::completedNanos).max().getAsLong());
        long previous = start;
        long longest = 0;
        for (Operation operation : all) {
            if (operation.completedNanos() > end) {
                break;
            }
            if (operation.kind() == kind && operation.outcome() == Outcome.OK) {
                longest = Math.max(longest, operation.completedNanos() - previous);
                previous = operation.completedNanos();
            }
        }
        return Duration.ofNanos(Math.max(longest, end - previous));
    }

    private String at(long nanos) {
        return String.format("at %.3f s", (nanos - startedNanos) / 1e9);
    }
}
