package io.reporadar.session;

/**
 * Stored session data could not be read back: it was tampered with, made with a key the ring no longer has,
 * or is not in a format this version reads. The store turns it into a fresh session (or a dropped attribute)
 * and counts it; it never reaches a client as an error.
 *
 * <p>Immutable and thread-safe. The message names the reason and the key id, never data or keys.
 */
public final class SessionDataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;
    private final String keyId;

    SessionDataException(String reason, String keyId) {
        super("session data unreadable: " + reason + (keyId == null ? "" : " (key " + keyId + ")"), null, false, false);
        this.reason = reason;
        this.keyId = keyId;
    }

    /** {@code tampered}, {@code unknown-key}, {@code format}, {@code type} or {@code json}. */
    public String reason() {
        return reason;
    }

    /** The id of the key the data names, or {@code null}. */
    public String keyId() {
        return keyId;
    }
}
