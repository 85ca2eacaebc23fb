package io.reporadar.lb;

import io.reporadar.lb.spi.Selector;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Round robin over nginx's smooth weighted sequence, precomputed once per snapshot: a pick is one atomic
 * increment and an array read. The start is random, so that many clients rebuilt at once do not all hit the
 * first endpoint together.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class RoundRobinSelector implements Selector {

    /** Longest weight cycle precomputed; larger total weights are scaled down proportionally. */
    private static final int MAX_SEQUENCE = 1 << 16;

    private final Snapshot snapshot;
    private final int[] sequence;
    private final AtomicLong next;

    RoundRobinSelector(Snapshot snapshot) {
        this.snapshot = snapshot;
        this.sequence = smoothSequence(snapshot.weights);
        this.next = new AtomicLong(sequence.length == 0 ? 0 : ThreadLocalRandom.current().nextInt(sequence.length));
    }

    @Override
    public int pick(@Nullable PickContext context, boolean ignoreHealth) {
        int length = sequence.length;
        for (int attempt = 0; attempt < length; attempt++) {
            int index = sequence[(int) Long.remainderUnsigned(next.getAndIncrement(), length)];
            if (snapshot.usable(context, index, ignoreHealth)) {
                return index;
            }
        }
        return -1;
    }

    /** nginx's smooth weighted round robin: each step adds every weight to its current, takes the largest, subtracts the total. */
    static int[] smoothSequence(int[] weights) {
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        int[] effective = weights.clone();
        if (total > MAX_SEQUENCE) {
            total = 0;
            for (int i = 0; i < effective.length; i++) {
                effective[i] = (int) Math.max(1, (long) weights[i] * MAX_SEQUENCE / sum(weights));
                total += effective[i];
            }
        }
        int[] sequence = new int[(int) total];
        long[] current = new long[effective.length];
        for (int step = 0; step < sequence.length; step++) {
            int best = -1;
            for (int i = 0; i < effective.length; i++) {
                current[i] += effective[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            sequence[step] = best;
        }
        return sequence;
    }

    private static long sum(int[] weights) {
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        return total;
    }
}
