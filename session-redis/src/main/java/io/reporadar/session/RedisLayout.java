package io.reporadar.session;

import io.reporadar.session.SessionObserver.Unreadable;
import io.reporadar.session.internal.SessionCipher;
import io.reporadar.session.internal.SessionDataException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How a session is laid out in Redis, and sealed there: one hash per session under a key that is a SHA-256 of
 * its id; each attribute in one field, named by a SHA-256 of the id and the attribute name, holding XAES-256-GCM
 * ciphertext of name and value bound to key and field (the associated data); {@code ~c} and {@code ~a} hold the
 * encrypted creation and last-access times, {@code ~v} a version raised by every save, {@code ~r} marks a key
 * retired by an id change. Thread-safe (immutable).
 */
final class RedisLayout {

    static final byte[] CREATED = ascii("~c");
    static final byte[] ACCESSED = ascii("~a");
    static final byte[] VERSION = ascii("~v");
    /** Set on the old key when the id changes: from then on it can be read until it expires, never written. */
    static final byte[] RETIRED = ascii("~r");

    private final SessionCipher cipher;
    private final SessionObserver observer;

    RedisLayout(SessionCipher cipher, SessionObserver observer) {
        this.cipher = cipher;
        this.observer = observer;
    }

    /** A session's hash split into its parts: the sealed times, and each attribute's field name and ciphertext. */
    static final class Stored {
        final byte[] created;
        final byte[] accessed;
        final List<byte[][]> fields;

        private Stored(byte[] created, byte[] accessed, List<byte[][]> fields) {
            this.created = created;
            this.accessed = accessed;
            this.fields = fields;
        }
    }

    /**
     * The parts of a session's hash.
     *
     * @throws SessionDataException ({@link Unreadable#FORMAT}) when a time is missing
     */
    static Stored split(Map<byte[], byte[]> hash) {
        byte[] created = null;
        byte[] accessed = null;
        List<byte[][]> fields = new ArrayList<>(hash.size());
        for (Map.Entry<byte[], byte[]> entry : hash.entrySet()) {
            byte[] field = entry.getKey();
            if (Arrays.equals(field, CREATED)) {
                created = entry.getValue();
            } else if (Arrays.equals(field, ACCESSED)) {
                accessed = entry.getValue();
            } else if (!Arrays.equals(field, VERSION) && !Arrays.equals(field, RETIRED)) {
                fields.add(new byte[][] {field, entry.getValue()});
            }
        }
        if (created == null || accessed == null) {
            throw new SessionDataException(Unreadable.FORMAT, null);
        }
        return new Stored(created, accessed, fields);
    }

    /** A stored session's version ({@code ~v}, raised by every save); -1 when there is none. */
    static long version(Map<byte[], byte[]> hash) {
        for (Map.Entry<byte[], byte[]> entry : hash.entrySet()) {
            if (Arrays.equals(entry.getKey(), VERSION)) {
                try {
                    return Long.parseLong(new String(entry.getValue(), StandardCharsets.US_ASCII));
                } catch (NumberFormatException corrupt) {
                    return -1; // decoding the session reports it
                }
            }
        }
        return -1;
    }

    /** The Redis key as the bytes commands take. */
    static byte[] key(String redisKey) {
        return ascii(redisKey);
    }

    /** {@code plain} sealed for {@code field} of the session at {@code redisKey}. */
    byte[] seal(String redisKey, byte[] field, byte[] plain) {
        return cipher.encrypt(associatedData(redisKey, field), plain);
    }

    /** A time sealed for {@code field} ({@link #CREATED} or {@link #ACCESSED}). */
    byte[] sealTime(String redisKey, byte[] field, Instant time) {
        return seal(redisKey, field, ByteBuffer.allocate(8).putLong(time.toEpochMilli()).array());
    }

    /**
     * The plaintext of {@code field}'s value, telling the observer which key failed and why.
     *
     * @throws SessionDataException when it does not decrypt
     */
    byte[] open(String redisKey, byte[] field, byte[] sealed) {
        try {
            return cipher.decrypt(associatedData(redisKey, field), sealed);
        } catch (SessionDataException e) {
            String keyId = e.keyId();
            observer.unreadable(keyId == null ? "none" : keyId, e.reason());
            throw e;
        }
    }

    /**
     * {@code plain}, opened from {@code sealed}, decoded by {@code decoder}, telling the observer when it is not a
     * value the codec reads (a type no longer allowed, JSON that does not fit).
     */
    <T> T decoded(byte[] sealed, byte[] plain, Function<byte[], T> decoder) {
        try {
            return decoder.apply(plain);
        } catch (SessionDataException e) {
            observer.unreadable(SessionCipher.keyId(sealed), e.reason());
            throw e;
        }
    }

    /** The time sealed in {@code field}. */
    Instant openTime(String redisKey, byte[] field, byte[] sealed) {
        return Instant.ofEpochMilli(ByteBuffer.wrap(open(redisKey, field, sealed)).getLong());
    }

    /** Whether {@code sealed} was made under a key other than the primary one (it should be rewritten). */
    boolean isStale(byte[] sealed) {
        return cipher.isStale(sealed);
    }

    /** {@code key | 0 | field}: what binds a ciphertext to its session and field. */
    private static byte[] associatedData(String redisKey, byte[] field) {
        byte[] key = key(redisKey);
        byte[] aad = new byte[key.length + 1 + field.length];
        System.arraycopy(key, 0, aad, 0, key.length);
        System.arraycopy(field, 0, aad, key.length + 1, field.length);
        return aad;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "RedisLayout[" + cipher + "]";
    }
}
