package io.reporadar.session;

/**
 * The session store could not be reached within its timeout (Redis down, frozen, or disconnected). Adapters
 * answer 503 with it; no request waits longer than the command timeout.
 *
 * <p>Immutable and thread-safe.
 */
public final class SessionStoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SessionStoreUnavailableException(String operation, Throwable cause) {
        super("session store unavailable during " + operation + ": " + cause.getClass().getSimpleName(), cause);
    }
}
