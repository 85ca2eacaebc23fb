package io.reporadar.jobs;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a worker has done, one counter per outcome: added to by its dispatcher (takeovers), its job threads (the
 * outcomes they record) and its lease threads (leases lost), read by {@link JobWorker#stats()} and a drain.
 *
 * <p>Thread-safe: every counter is a {@link LongAdder}; a sum read while others add is a moment's value.
 */
final class WorkerCounters {

    final LongAdder completed = new LongAdder();
    final LongAdder retried = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder handedBack = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder leasesLost = new LongAdder();
    final LongAdder unrecorded = new LongAdder();
    final LongAdder takeovers = new LongAdder();

    /** Counts one attempt that ended with {@code outcome}: completed, retried or handed back (the others count where they happen). */
    void add(JobObserver.Outcome outcome) {
        switch (outcome) {
            case COMPLETED -> completed.increment();
            case RETRIED -> retried.increment();
            case HANDED_BACK -> handedBack.increment();
            default -> throw new IllegalArgumentException("outcome " + outcome + " is counted where it happens");
        }
    }

    /** The attempts whose outcome was recorded: completed, retried, failed or cancelled. */
    long finished() {
        return completed.sum() + retried.sum() + failed.sum() + cancelled.sum();
    }

    /** The counters now, with {@code running} jobs held. */
    JobWorker.Stats stats(int running) {
        return new JobWorker.Stats(completed.sum(), retried.sum(), failed.sum(), cancelled.sum(), handedBack.sum(), refused.sum(),
                leasesLost.sum(), unrecorded.sum(), takeovers.sum(), running);
    }
}
