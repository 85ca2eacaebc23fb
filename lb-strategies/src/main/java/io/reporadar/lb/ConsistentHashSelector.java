package io.reporadar.lb;

import io.reporadar.lb.spi.Selector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * nginx {@code hash $key consistent} ({@code ngx_http_upstream_hash_module.c}, ketama as in
 * Cache::Memcached::Fast): every endpoint gets {@code 160 × weight} points on a 32-bit ring; point j is the
 * CRC32 of the host, a NUL byte, the port and point j−1's little-endian bytes. A key's CRC32 goes to the
 * first point at or after it. The ring is built once per snapshot; a pick is one CRC32 and a binary search.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class ConsistentHashSelector implements Selector {

    static final int POINTS_PER_WEIGHT = 160;
    private static final int MAX_TRIES = 20;

    private final Snapshot snapshot;
    private final long[] hashes;
    private final int[] owners;
    private final RoundRobinSelector fallback;
    private final double loadFactor;

    ConsistentHashSelector(Snapshot snapshot, double loadFactor) {
        this.snapshot = snapshot;
        this.loadFactor = loadFactor;
        this.fallback = new RoundRobinSelector(snapshot);
        int total = 0;
        for (int w : snapshot.weights) {
            total += w * POINTS_PER_WEIGHT;
        }
        long[] packed = new long[total];
        int count = 0;
        for (int e = 0; e < snapshot.size(); e++) {
            String server = snapshot.endpoints[e].address();
            int colon = portSeparator(server);
            byte[] host = (colon < 0 ? server : server.substring(0, colon)).getBytes(StandardCharsets.UTF_8);
            byte[] port = (colon < 0 ? "" : server.substring(colon + 1)).getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            long previous = 0;
            for (int j = 0; j < snapshot.weights[e] * POINTS_PER_WEIGHT; j++) {
                crc.reset();
                crc.update(host);
                crc.update(0);
                crc.update(port);
                crc.update((int) (previous & 0xff));
                crc.update((int) ((previous >>> 8) & 0xff));
                crc.update((int) ((previous >>> 16) & 0xff));
                crc.update((int) ((previous >>> 24) & 0xff));
                long hash = crc.getValue();
                // Hash in the high 32 bits, endpoint in the low ones; flipping the sign bit makes the signed
                // sort an unsigned one: one sort orders by hash, ties by configuration order.
                packed[count++] = ((hash << 32) | e) ^ Long.MIN_VALUE;
                previous = hash;
            }
        }
        Arrays.sort(packed);
        long[] hashes = new long[count];
        int[] owners = new int[count];
        int unique = 0;
        for (int i = 0; i < count; i++) {
            packed[i] ^= Long.MIN_VALUE;
            long hash = packed[i] >>> 32;
            if (unique > 0 && hashes[unique - 1] == hash) {
                continue;
            }
            hashes[unique] = hash;
            owners[unique] = (int) (packed[i] & 0xffffffffL);
            unique++;
        }
        this.hashes = Arrays.copyOf(hashes, unique);
        this.owners = Arrays.copyOf(owners, unique);
    }

    /** nginx reads the port as the digits after the last ':'; an IPv6 address without a port has none. */
    private static int portSeparator(String server) {
        for (int j = server.length() - 1; j >= 0; j--) {
            char c = server.charAt(j);
            if (c == ':') {
                return j;
            }
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return -1;
    }

    @Override
    public int pick(@Nullable PickContext context, boolean ignoreHealth) {
        int n = hashes.length;
        if (n == 0) {
            return -1;
        }
        if (context == null) {
            return fallback.pick(null, ignoreHealth);
        }
        int point = find(context.keyCrc32());
        if (loadFactor > 0) {
            // Bounded loads: walk the ring until an endpoint has room; every endpoint gets its turn within n points.
            for (int attempt = 0; attempt < n; attempt++) {
                int owner = owners[(point + attempt) % n];
                if (snapshot.usable(context, owner, ignoreHealth) && snapshot.underBound(owner, loadFactor)) {
                    return owner;
                }
            }
        }
        for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
            int owner = owners[(point + attempt) % n];
            if (snapshot.usable(context, owner, ignoreHealth)) {
                return owner;
            }
        }
        return fallback.pick(context, ignoreHealth);
    }

    /** The first point whose hash is at or after {@code hash}, as nginx's binary search finds it; n wraps to 0. */
    private int find(long hash) {
        int low = 0;
        int high = hashes.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (hash > hashes[mid]) {
                low = mid + 1;
            } else if (hash < hashes[mid]) {
                high = mid;
            } else {
                return mid;
            }
        }
        return low;
    }

    /** The share of the ring each endpoint owns, for balance reports. */
    double[] ownership() {
        double[] share = new double[snapshot.size()];
        long ring = 1L << 32;
        for (int i = 0; i < hashes.length; i++) {
            long from = i == 0 ? hashes[hashes.length - 1] - ring : hashes[i - 1];
            share[owners[i]] += (double) (hashes[i] - from) / ring;
        }
        return share;
    }
}
