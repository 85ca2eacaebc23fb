package io.reporadar.session;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads why {@link SessionRedis#connect} failed, to name the variable at fault: Lettuce reports a refused password
 * deep among causes and suppressed exceptions. Stateless.
 */
final class ConnectFailures {

    private ConnectFailures() {
    }

    /**
     * Which variable holds a password Redis or a Sentinel refused (NOAUTH, WRONGPASS) in {@code failure}'s causes or
     * suppressed exceptions, as a message naming it; null for any other failure. Never quotes a password.
     */
    static @Nullable String refusedPassword(Throwable failure, boolean viaSentinels, boolean sentinelPasswordGiven) {
        return refusedPassword(failure, false, viaSentinels, sentinelPasswordGiven, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /** Walks {@code failure}'s causes and suppressed exceptions; {@code sentinel} says whether one above mentioned the Sentinels. */
    private static @Nullable String refusedPassword(@Nullable Throwable failure, boolean sentinel, boolean viaSentinels, boolean sentinelPasswordGiven,
            Set<Throwable> seen) {
        if (failure == null || !seen.add(failure)) {
            return null;
        }
        String message = String.valueOf(failure.getMessage());
        sentinel |= message.contains("Sentinel");
        if (message.contains("NOAUTH") || message.contains("WRONGPASS") || message.contains("invalid password")) {
            if (viaSentinels && sentinel) {
                return "REDIS_SENTINEL_PASSWORD: the Sentinels refused " + (sentinelPasswordGiven ? "it" : "to answer without it")
                        + " (expected: their requirepass)";
            }
            return "REDIS_URL: Redis refused its password (expected: redis://:<requirepass>@host:port)";
        }
        String refused = refusedPassword(failure.getCause(), sentinel, viaSentinels, sentinelPasswordGiven, seen);
        for (Throwable suppressed : failure.getSuppressed()) {
            if (refused == null) {
                refused = refusedPassword(suppressed, sentinel, viaSentinels, sentinelPasswordGiven, seen);
            }
        }
        return refused;
    }
}
