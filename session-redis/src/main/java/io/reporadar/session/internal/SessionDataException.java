package io.reporadar.session.internal;

import io.reporadar.session.SessionObserver.Unreadable;
import org.jspecify.annotations.Nullable;

/**
 * Stored session data could not be read back: it was tampered with, made with a key the ring no longer has,
 * or is not in a format this version reads. The stores turn it into a fresh session (or a dropped attribute)
 * and report it to their observer; it never reaches a client as an error. Not API.
 *
 * <p>Immutable and thread-safe. The message names the reason and the key id, never data or keys.
 */
public final class SessionDataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Unreadable reason;
    private final @Nullable String keyId;

    /** @param keyId the id of the key the data names, or null when it names none (or is not encrypted) */
    public SessionDataException(Unreadable reason, @Nullable String keyId) {
        super("session data unreadable: " + reason.tag() + (keyId == null ? "" : " (key " + keyId + ")"), null, false, false);
        this.reason = reason;
        this.keyId = keyId;
    }

    public Unreadable reason() {
        return reason;
    }

    /** The id of the key the data names, or {@code null} when it names none. */
    public @Nullable String keyId() {
        return keyId;
    }
}
