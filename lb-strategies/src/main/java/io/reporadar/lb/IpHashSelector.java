package io.reporadar.lb;

import io.reporadar.lb.spi.Selector;
import org.jspecify.annotations.Nullable;

/**
 * nginx {@code ip_hash} ({@code ngx_http_upstream_ip_hash_module.c}): starting from 89, each address byte
 * folds in as {@code hash = (hash × 113 + byte) mod 6271}; {@code hash mod totalWeight} walks the weights in
 * configuration order. An endpoint already tried folds the address in once more and tries again, up to 20
 * times, then round robin takes over, as in nginx.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class IpHashSelector implements Selector {

    private static final int MAX_TRIES = 20;

    private final Snapshot snapshot;
    private final int ipv4Bytes;
    private final RoundRobinSelector fallback;

    IpHashSelector(Snapshot snapshot, int ipv4Bytes) {
        this.snapshot = snapshot;
        this.ipv4Bytes = ipv4Bytes;
        this.fallback = new RoundRobinSelector(snapshot);
    }

    @Override
    public int pick(@Nullable PickContext context, boolean ignoreHealth) {
        if (snapshot.size() == 0) {
            return -1;
        }
        if (context == null || context.addressLength() == 0) {
            return fallback.pick(context, ignoreHealth);
        }
        byte[] address = context.addressBytes();
        int length = context.addressLength() == 4 ? ipv4Bytes : context.addressLength();
        int hash = 89;
        for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
            for (int i = 0; i < length; i++) {
                hash = (hash * 113 + (address[i] & 0xff)) % 6271;
            }
            int w = hash % snapshot.totalWeight;
            int peer = 0;
            while (w >= snapshot.weights[peer]) {
                w -= snapshot.weights[peer];
                peer++;
            }
            if (snapshot.usable(context, peer, ignoreHealth)) {
                return peer;
            }
        }
        return fallback.pick(context, ignoreHealth);
    }
}
