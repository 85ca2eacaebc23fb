package io.reporadar.session;

/**
 * A value, or the session with it, is larger than the store's limits ({@link RedisSessionStore.Builder#limits}).
 * Thrown by {@link Session#set} at the line that set it, before anything changed; the servlet adapter answers
 * 413. The message names the attribute and the sizes, never the value.
 *
 * <p>Immutable and thread-safe.
 */
public final class SessionTooLargeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SessionTooLargeException(String message) {
        super(message);
    }
}
