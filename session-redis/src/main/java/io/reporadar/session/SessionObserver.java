package io.reporadar.session;

/**
 * Hears what a {@link RedisSessionStore} does, for metrics ({@code io.reporadar.session.micrometer.SessionMetrics})
 * or logs. Called on the request's thread after the operation: implementations must be thread-safe and quick.
 * Nothing passed here is secret: outcomes, durations, sizes and key ids.
 */
public interface SessionObserver {

    /** Hears nothing. */
    SessionObserver NONE = new SessionObserver() {
    };

    /**
     * A load finished.
     *
     * @param outcome    {@code found}, {@code none} (no cookie), {@code cookie-invalid}, {@code unknown},
     *                   {@code expired} or {@code corrupt}
     * @param roundTrips Redis round trips it took: 0 without a valid cookie, else 1
     */
    default void loaded(String outcome, long nanos, int roundTrips) {
    }

    /**
     * A save finished.
     *
     * @param outcome      {@code written}, {@code touched} (only the idle expiry), {@code unchanged} (nothing to
     *                     do) or {@code refused} (the session was invalidated meanwhile: a write conflict)
     * @param roundTrips   Redis round trips it took: 0, 1, or 2 when Redis had to be sent the script
     * @param sessionBytes the encoded size of every attribute after the save (0 when not written)
     */
    default void saved(String outcome, long nanos, int roundTrips, int sessionBytes) {
    }

    /** One attribute value was written, {@code bytes} long before encryption. */
    default void attributeWritten(int bytes) {
    }

    /**
     * Stored data did not decrypt.
     *
     * @param keyId  the key id the ciphertext names ({@code none} when unreadable)
     * @param reason {@code unknown-key}, {@code tampered} or {@code format}
     */
    default void decryptFailed(String keyId, String reason) {
    }
}
