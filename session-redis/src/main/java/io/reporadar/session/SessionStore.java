package io.reporadar.session;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where sessions live: {@link RedisSessionStore} for several instances, {@link InMemorySessionStore} for one.
 * Both keep the request-facing contract that {@code io.reporadar.session.spi.SessionStoreConformance} checks:
 * {@link #load} never fails on bad input (it gives a fresh session), {@link #save} writes only what changed and
 * merges concurrent requests attribute by attribute, {@link #invalidate} cannot be undone by a save in flight,
 * and sessions expire after their idle and absolute timeouts.
 *
 * <p>Implementations are thread-safe.
 */
public abstract class SessionStore {

    final SessionSecrets secrets;
    final Duration idleTimeout;
    final Duration absoluteTimeout;
    final Clock clock;
    /** Every report of the store goes here: the counts, then the user's observer. */
    final SessionObserver observer;
    private final SessionCounts counts;
    private final SessionCodec codec;
    private final int maxAttributeBytes;
    private final int maxSessionBytes;

    SessionStore(Builder<?> b) {
        this.secrets = b.secrets;
        this.idleTimeout = b.idleTimeout;
        this.absoluteTimeout = b.absoluteTimeout;
        this.clock = b.clock;
        this.counts = new SessionCounts(b.observer);
        this.observer = counts;
        this.codec = b.codec;
        this.maxAttributeBytes = b.maxAttributeBytes;
        this.maxSessionBytes = b.maxSessionBytes;
    }

    /** A new session; nothing is stored until it is saved with something in it. */
    public abstract Session create();

    /**
     * The session the signed cookie value names, or a fresh one when there is no valid cookie, no such session,
     * or it expired or failed to decrypt.
     *
     * @param cookieValue the cookie's value as the request carried it, or null when it carried none
     * @throws SessionStoreUnavailableException when the store does not answer in time
     */
    public abstract Session load(@Nullable String cookieValue);

    /**
     * Stores what the request changed: nothing when nothing did. A session invalidated meanwhile stays
     * invalidated (the save is refused, and the session is marked invalidated).
     *
     * @throws SessionStoreUnavailableException when the store does not answer in time, or refuses the write
     * @throws SessionTooLargeException         when the session would exceed its size limit
     */
    public abstract void save(Session session);

    /** Ends the session for good: a save still in flight will not bring it back. */
    public abstract void invalidate(Session session);

    /** Gives the session a new id (after login, against session fixation), applied at the next save. */
    public abstract void changeId(Session session);

    /** The signed cookie value for the session. */
    public final String cookieValue(Session session) {
        return secrets.sign(session.id());
    }

    /** Whether a cookie value carries a valid signature (the session it names may still be gone). */
    public final boolean verifies(String cookieValue) {
        return secrets.verify(cookieValue).isPresent();
    }

    /**
     * How often each thing the store reported to its observer happened since it was built, by name: load and
     * save outcomes ({@code load-found}, {@code save-refused}, ...), unreadable data by reason
     * ({@code unreadable-tampered}, ...) and events ({@code load-from-replica}, {@code write-fenced}, ...).
     * Things that never happened are left out.
     */
    public final Map<String, Long> counts() {
        return counts.snapshot();
    }

    /** How long an unused session lives. */
    public final Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long a session lives however active. */
    public final Duration absoluteTimeout() {
        return absoluteTimeout;
    }

    SessionCodec codec() {
        return codec;
    }

    /** Checks and encodes a value as {@code nameLength(2) | name | codec bytes}, failing at the line that set it. */
    byte[] encodeAttribute(String name, Object value) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length == 0 || nameBytes.length > 255) {
            throw new IllegalArgumentException("session attribute name: \"" + name + "\" (expected: 1-255 bytes of UTF-8)");
        }
        byte[] body = codec.encode(name, value);
        if (body.length > maxAttributeBytes) {
            throw new SessionTooLargeException("session attribute " + name + ": " + body.length + " bytes (expected: at most "
                    + maxAttributeBytes + ")");
        }
        byte[] plain = new byte[2 + nameBytes.length + body.length];
        plain[0] = (byte) (nameBytes.length >>> 8);
        plain[1] = (byte) nameBytes.length;
        System.arraycopy(nameBytes, 0, plain, 2, nameBytes.length);
        System.arraycopy(body, 0, plain, 2 + nameBytes.length, body.length);
        return plain;
    }

    /** The attribute name inside an encoded value. */
    static String nameOf(byte[] plain) {
        int nameLength = ((plain[0] & 0xff) << 8) | (plain[1] & 0xff);
        return new String(plain, 2, nameLength, StandardCharsets.UTF_8);
    }

    /** The value inside an encoded value. */
    Object valueOf(byte[] plain) {
        int nameLength = ((plain[0] & 0xff) << 8) | (plain[1] & 0xff);
        return codec.decode(plain, 2 + nameLength);
    }

    /**
     * Fails when {@code size} bytes of encoded attributes are over the session limit, naming {@code attribute}, the
     * one that would take it there (null at a save: a session loaded from before the limit was lowered).
     */
    void checkSessionSize(int size, @Nullable String attribute) {
        if (size > maxSessionBytes) {
            throw new SessionTooLargeException((attribute == null ? "session: " : "session attribute " + attribute + ": the session would hold ")
                    + size + " bytes of attributes (expected: at most " + maxSessionBytes + ")");
        }
    }

    /** The encoded size of the session's attributes, failing when over the session limit. */
    int checkSessionSize(Session session) {
        int size = session.encodedBytes();
        checkSessionSize(size, null);
        return size;
    }

    /** Whether a session last used at {@code accessed}, made at {@code created}, has expired by {@code now}. */
    final boolean expired(java.time.Instant created, java.time.Instant accessed, java.time.Instant now) {
        return Duration.between(accessed, now).compareTo(idleTimeout) > 0 || Duration.between(created, now).compareTo(absoluteTimeout) > 0;
    }

    /**
     * What every store is configured with, with the same defaults: the codec (no types beyond plain values),
     * a 30 min idle and a 24 h absolute timeout, 64 KiB per attribute and 512 KiB per session, the system UTC
     * clock, and no observer. Not thread-safe; {@code build()} copies its state.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    public abstract static class Builder<B extends Builder<B>> {
        final SessionSecrets secrets;
        SessionCodec codec = SessionCodec.allowing();
        Duration idleTimeout = Duration.ofMinutes(30);
        Duration absoluteTimeout = Duration.ofHours(24);
        Clock clock = Clock.systemUTC();
        int maxAttributeBytes = 64 * 1024;
        int maxSessionBytes = 512 * 1024;
        SessionObserver observer = SessionObserver.NONE;

        Builder(SessionSecrets secrets) {
            this.secrets = Objects.requireNonNull(secrets, "secrets");
        }

        /** The types attributes may hold (default: strings, numbers, booleans and lists and maps of them). */
        public B codec(SessionCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return self();
        }

        /** Sessions unused for this long expire (default 30 min). */
        public B idleTimeout(Duration idle) {
            this.idleTimeout = positive("idleTimeout", idle);
            return self();
        }

        /** Sessions older than this expire however active (default 24 h); at least the idle timeout. */
        public B absoluteTimeout(Duration absolute) {
            this.absoluteTimeout = positive("absoluteTimeout", absolute);
            return self();
        }

        public B clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return self();
        }

        /** The largest attribute and session, encoded, in bytes (default 64 KiB and 512 KiB). */
        public B limits(int maxAttributeBytes, int maxSessionBytes) {
            if (maxAttributeBytes < 1 || maxSessionBytes < maxAttributeBytes) {
                throw new IllegalArgumentException("limits: attribute " + maxAttributeBytes + ", session " + maxSessionBytes
                        + " (expected: 1 <= attribute <= session)");
            }
            this.maxAttributeBytes = maxAttributeBytes;
            this.maxSessionBytes = maxSessionBytes;
            return self();
        }

        /** Hears every load, save, unreadable value and event, e.g. {@code new SessionMetrics(registry)}. */
        public B observer(SessionObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return self();
        }

        @SuppressWarnings("unchecked") // B is this builder's own class, by the type parameter's contract
        private B self() {
            return (B) this;
        }

        /** Checks what no single setter can. */
        void validate() {
            if (absoluteTimeout.compareTo(idleTimeout) < 0) {
                throw new IllegalArgumentException("absoluteTimeout: " + absoluteTimeout + " (expected: at least idleTimeout " + idleTimeout + ")");
            }
        }

        static Duration positive(String name, @Nullable Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a positive duration)");
            }
            return value;
        }
    }
}
