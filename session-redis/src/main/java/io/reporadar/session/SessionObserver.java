package io.reporadar.session;

import java.util.Locale;

/**
 * Hears everything a session store does, for metrics ({@code io.reporadar.session.micrometer.SessionMetrics}),
 * logs or tests: the one channel the store reports through ({@link SessionStore#counts()} is itself an observer
 * of it). Called on the request's thread after the operation: implementations must be thread-safe and quick.
 * Nothing passed here is secret: outcomes, durations, sizes and key ids.
 */
public interface SessionObserver {

    /** Hears nothing. */
    SessionObserver NONE = new SessionObserver() {
    };

    /** How a load ended. */
    enum LoadOutcome {
        /** The cookie named a live session. */
        FOUND,
        /** No cookie: a fresh session, no round trip. */
        NONE,
        /** The cookie's signature did not verify: a fresh session, no round trip. */
        COOKIE_INVALID,
        /** The store has no such session (never saved, logged out, or expired and gone). */
        UNKNOWN,
        /** The session was there but past its idle or absolute timeout. */
        EXPIRED,
        /** The stored data did not decrypt or decode ({@link #unreadable} says why): a fresh session. */
        CORRUPT,
        /** The store did not answer in time: the load failed. */
        UNAVAILABLE;

        /** The outcome as a metric tag or counter name: {@code cookie-invalid}. */
        public String tag() {
            return SessionObserver.tag(name());
        }
    }

    /** How a save ended. */
    enum SaveOutcome {
        /** Changed attributes were written. */
        WRITTEN,
        /** Nothing changed; only the idle expiry was refreshed. */
        TOUCHED,
        /** Nothing changed, and the refresh of the idle expiry failed (the request does not fail for it). */
        TOUCH_FAILED,
        /** Nothing to do. */
        UNCHANGED,
        /** The session was invalidated (logged out) while the request ran: the logout stands, nothing was written. */
        REFUSED,
        /** The session's id changed (a login) while the request ran on the old id: the old key takes no writes. */
        RETIRED;

        /** The outcome as a metric tag or counter name: {@code touch-failed}. */
        public String tag() {
            return SessionObserver.tag(name());
        }
    }

    /** Why stored data could not be read back. */
    enum Unreadable {
        /** Encrypted with a key the ring no longer has. */
        UNKNOWN_KEY,
        /** Altered, or copied from another session or attribute. */
        TAMPERED,
        /** Not in a format this version reads. */
        FORMAT,
        /** A value of a type the codec does not allow (any more). */
        TYPE,
        /** A value whose JSON does not fit its type. */
        JSON;

        /** The reason as a metric tag or counter name: {@code unknown-key}. */
        public String tag() {
            return SessionObserver.tag(name());
        }
    }

    /** What else happened: failover handling, refusals and housekeeping, each worth a counter. */
    enum Event {
        /** A load was answered by a replica (the master was slow, down, or held down by the Sentinels). */
        LOAD_FROM_REPLICA,
        /** A load asked the replicas first because the Sentinels hold the master down. */
        LOAD_WHILE_FENCED,
        /** A load's answer came from a master the store no longer follows; it asked the new one. */
        LOAD_FROM_DEPOSED_MASTER,
        /** A write met {@code READONLY} (its master was demoted) and was sent again to the new master. */
        READONLY_RECONNECT,
        /** The store's connection followed another master: the Sentinels promoted a replica (a failover). */
        MASTER_CHANGED,
        /** A write was refused before sending: a quorum of Sentinels hold the master down. */
        WRITE_FENCED,
        /** A write was refused, or not acknowledged, for want of the replicas durability requires. */
        WRITE_UNREPLICATED,
        /** A write's acknowledgement came from a master deposed while it was in flight: reported as failed. */
        WRITE_ON_DEPOSED_MASTER,
        /** A save reached Redis after its deadline and was refused there. */
        WRITE_LATE,
        /** A stored attribute that did not decrypt was dropped ({@code OnCorruption.DROP_ATTRIBUTE}). */
        ATTRIBUTE_DROPPED,
        /** The old key of a session whose id changed could not be retired; it expires at its idle timeout. */
        RETIRE_FAILED,
        /** A session's id changed. */
        ID_CHANGED,
        /** A session was invalidated. */
        INVALIDATED,
        /** The in-memory store was full: a new session was refused. */
        STORE_FULL;

        /** The event as a metric tag or counter name: {@code load-from-replica}. */
        public String tag() {
            return SessionObserver.tag(name());
        }
    }

    /**
     * A load finished.
     *
     * @param roundTrips round trips to the store it took: 0 without a valid cookie, else 1
     */
    default void loaded(LoadOutcome outcome, long nanos, int roundTrips) {
    }

    /**
     * A save finished.
     *
     * @param roundTrips   round trips it took: 0, 1, or 2 when Redis had to be sent the script
     * @param sessionBytes the encoded size of every attribute after the save (0 when not written)
     */
    default void saved(SaveOutcome outcome, long nanos, int roundTrips, int sessionBytes) {
    }

    /** One attribute value was written, {@code bytes} long before encryption. */
    default void attributeWritten(int bytes) {
    }

    /**
     * Stored data could not be read back.
     *
     * @param keyId the id of the key the ciphertext names ({@code none} when unreadable or not encrypted)
     */
    default void unreadable(String keyId, Unreadable reason) {
    }

    /** Something else happened. */
    default void event(Event event) {
    }

    /** {@code COOKIE_INVALID} to {@code cookie-invalid}. */
    private static String tag(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
