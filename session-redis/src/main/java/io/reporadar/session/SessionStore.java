package io.reporadar.session;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where sessions live: {@link RedisSessionStore} for several instances, {@link InMemorySessionStore} for one.
 * Both share the request-facing contract: {@link #load} never fails on bad input (it gives a fresh session),
 * {@link #save} writes only what changed, {@link #invalidate} cannot be undone by a save in flight.
 *
 * <p>Implementations are thread-safe.
 */
public abstract class SessionStore {

    final SessionSecrets secrets;
    private final SessionCodec codec;
    private final int maxAttributeBytes;
    private final int maxSessionBytes;
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    SessionStore(SessionSecrets secrets, SessionCodec codec, int maxAttributeBytes, int maxSessionBytes) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.maxAttributeBytes = maxAttributeBytes;
        this.maxSessionBytes = maxSessionBytes;
    }

    /** A new session; nothing is stored until it is saved with something in it. */
    public abstract Session create();

    /** The session the signed cookie value names, or a fresh one. */
    public abstract Session load(String cookieValue);

    /** Stores what the request changed. */
    public abstract void save(Session session);

    /** Ends the session for good. */
    public abstract void invalidate(Session session);

    /** Gives the session a new id, applied at the next save. */
    public abstract void changeId(Session session);

    /** The signed cookie value for the session. */
    public final String cookieValue(Session session) {
        return secrets.sign(session.id());
    }

    /** Whether a cookie value carries a valid signature (the session it names may still be gone). */
    public final boolean verifies(String cookieValue) {
        return secrets.verify(cookieValue).isPresent();
    }

    /** How often each event happened (load outcomes, refusals, corruption by reason). */
    public final Map<String, Long> counts() {
        Map<String, Long> snapshot = new TreeMap<>();
        counters.forEach((name, adder) -> snapshot.put(name, adder.sum()));
        return snapshot;
    }

    void count(String event) {
        counters.computeIfAbsent(event, e -> new LongAdder()).increment();
    }

    SessionCodec codec() {
        return codec;
    }

    int maxSessionBytes() {
        return maxSessionBytes;
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
    void checkSessionSize(int size, String attribute) {
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
}
