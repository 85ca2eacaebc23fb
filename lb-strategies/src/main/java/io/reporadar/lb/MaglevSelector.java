package io.reporadar.lb;

import io.reporadar.lb.spi.Selector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Maglev hashing (Eisenbud et al., NSDI 2016): each endpoint walks its own permutation of a prime-sized table
 * ({@code offset + j × skip}), taking turns in proportion to its weight until the table is full. A key's
 * 64-bit hash indexes the table: one array read per pick, shares within about 1 % of the weights when the
 * table is at least 100 × larger than the endpoint count, and about 1/N of keys moving when one of N leaves.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class MaglevSelector implements Selector {

    private static final int[] PRIMES = {65_537, 655_373, 6_553_577};
    private static final long OFFSET_SEED = 0x5bd1e995L;
    private static final long SKIP_SEED = 0x1b873593L;
    private static final long KEY_SEED = 0x27d4eb2fL;

    private final Snapshot snapshot;
    private final int[] table;
    private final double loadFactor;
    private final RoundRobinSelector fallback;

    MaglevSelector(Snapshot snapshot, double loadFactor) {
        this.snapshot = snapshot;
        this.loadFactor = loadFactor;
        this.fallback = new RoundRobinSelector(snapshot);
        this.table = build(snapshot);
    }

    private static int[] build(Snapshot snapshot) {
        int n = snapshot.size();
        if (n == 0) {
            return new int[0];
        }
        int size = PRIMES[PRIMES.length - 1];
        for (int prime : PRIMES) {
            if (prime >= 100L * n) {
                size = prime;
                break;
            }
        }
        int[] table = new int[size];
        Arrays.fill(table, -1);
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] name = snapshot.endpoints[i].address().getBytes(StandardCharsets.UTF_8);
            offset[i] = Long.remainderUnsigned(Hashing.hash64(name, name.length, OFFSET_SEED), size);
            skip[i] = Long.remainderUnsigned(Hashing.hash64(name, name.length, SKIP_SEED), size - 1) + 1;
        }
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                for (int turn = 0; turn < snapshot.weights[i]; turn++) {
                    int slot = (int) ((offset[i] + next[i] * skip[i]) % size);
                    while (table[slot] >= 0) {
                        next[i]++;
                        slot = (int) ((offset[i] + next[i] * skip[i]) % size);
                    }
                    table[slot] = i;
                    next[i]++;
                    if (++filled == size) {
                        return table;
                    }
                }
            }
        }
    }

    @Override
    public int pick(@Nullable PickContext context, boolean ignoreHealth) {
        int size = table.length;
        if (size == 0) {
            return -1;
        }
        if (context == null) {
            return fallback.pick(null, ignoreHealth);
        }
        int slot = (int) Long.remainderUnsigned(context.keyHash64(KEY_SEED), size);
        int n = snapshot.size();
        // Walking the table from the key's slot meets every endpoint quickly; bounded loads need room too.
        int limit = Math.min(size, 64 * n);
        if (loadFactor > 0) {
            for (int step = 0; step < limit; step++) {
                int owner = table[(slot + step) % size];
                if (snapshot.usable(context, owner, ignoreHealth) && snapshot.underBound(owner, loadFactor)) {
                    return owner;
                }
            }
        }
        for (int step = 0; step < limit; step++) {
            int owner = table[(slot + step) % size];
            if (snapshot.usable(context, owner, ignoreHealth)) {
                return owner;
            }
        }
        return fallback.pick(context, ignoreHealth);
    }

    /** The share of the table each endpoint owns, for balance reports. */
    double[] ownership() {
        double[] share = new double[snapshot.size()];
        for (int owner : table) {
            share[owner] += 1.0 / table.length;
        }
        return share;
    }
}
