package io.reporadar.session;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first connection of {@link SessionRedis#connect}: tried again when Redis does not answer in time (a Redis, or
 * Sentinels, starting alongside the service, a machine busy starting several instances at once), and when it fails
 * for good, why, to name the variable at fault: Lettuce reports a refused password deep among causes and suppressed
 * exceptions. Stateless.
 */
final class ConnectFailures {

    /** Tries of the first connection before {@link SessionRedis#connect} gives up. */
    static final int ATTEMPTS = 3;
    private static final long PAUSE_MILLIS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(SessionRedis.class);

    private ConnectFailures() {
    }

    /**
     * {@code connect}'s connection, after up to {@link #ATTEMPTS} tries, 500 ms and then 1 s apart; a refused password
     * is not tried again.
     *
     * @throws IllegalArgumentException naming the password's variable when Redis or the Sentinels refused it
     * @throws SessionStoreUnavailableException when the last try failed
     */
    static SessionRedis firstConnection(Supplier<SessionRedis> connect, boolean viaSentinels, boolean sentinelPasswordGiven) {
        for (int attempt = 1; ; attempt++) {
            try {
                return connect.get();
            } catch (RuntimeException e) {
                String refused = refusedPassword(e, viaSentinels, sentinelPasswordGiven);
                if (refused != null) {
                    throw new IllegalArgumentException(refused);
                }
                if (attempt == ATTEMPTS) {
                    throw new SessionStoreUnavailableException("connect", e);
                }
                LOG.warn("Redis{} did not answer at start (try {} of {}: {}); trying again", viaSentinels ? "'s Sentinels" : "", attempt, ATTEMPTS,
                        e.getClass().getSimpleName());
                try {
                    Thread.sleep(PAUSE_MILLIS * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new SessionStoreUnavailableException("connect", e);
                }
            }
        }
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
