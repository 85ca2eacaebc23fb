package io.reporadar.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reporadar.session.SessionObserver.Unreadable;
import io.reporadar.session.internal.SessionDataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns attribute values into bytes and back with Jackson, for an explicit allow-list of types only: no
 * default typing, never Java serialization, so stored data can name no class the application did not list.
 *
 * <p>Format: {@code version(1) | type name length(1) | type name | JSON}. Built-in types: String, Integer,
 * Long, Boolean, Double. Strings of printable ASCII, integers and booleans, the bulk of what sessions hold, are
 * written and read without Jackson, as the same JSON bytes Jackson writes. Thread-safe.
 */
public final class SessionCodec {

    static final byte FORMAT = 1;

    private final ObjectMapper mapper;
    private final Map<String, Class<?>> byName;

    private SessionCodec(ObjectMapper mapper, Map<String, Class<?>> byName) {
        this.mapper = mapper;
        this.byName = byName;
    }

    /** The built-in types plus {@code types} (records or Jackson-friendly classes). */
    public static SessionCodec allowing(Class<?>... types) {
        Map<String, Class<?>> allowed = new LinkedHashMap<>();
        for (Class<?> type : List.of(String.class, Integer.class, Long.class, Boolean.class, Double.class)) {
            allowed.put(type.getName(), type);
        }
        for (Class<?> type : types) {
            if (type.isInterface() || type.isArray() || type.isPrimitive()) {
                throw new IllegalArgumentException("session attribute type: " + type.getName() + " (expected: a concrete class or record)");
            }
            allowed.put(type.getName(), type);
        }
        return new SessionCodec(new ObjectMapper(), Map.copyOf(allowed));
    }

    byte[] encode(String attribute, Object value) {
        Class<?> type = value.getClass();
        if (byName.get(type.getName()) != type) {
            throw new IllegalArgumentException("session attribute " + attribute + ": type " + type.getName()
                    + " (expected: one of the allowed types " + byName.keySet() + "; allow it with SessionCodec.allowing(...))");
        }
        try {
            byte[] name = type.getName().getBytes(StandardCharsets.UTF_8);
            byte[] json = plainJson(value);
            if (json == null) {
                json = mapper.writeValueAsBytes(value);
            }
            byte[] out = new byte[2 + name.length + json.length];
            out[0] = FORMAT;
            out[1] = (byte) name.length;
            System.arraycopy(name, 0, out, 2, name.length);
            System.arraycopy(json, 0, out, 2 + name.length, json.length);
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("session attribute " + attribute + ": cannot be written as JSON ("
                    + e.getOriginalMessage() + ")", e);
        }
    }

    Object decode(byte[] bytes, int offset) {
        if (bytes.length < offset + 2 || bytes[offset] != FORMAT) {
            throw new SessionDataException(Unreadable.FORMAT, null);
        }
        int nameLength = bytes[offset + 1] & 0xff;
        String typeName = new String(bytes, offset + 2, nameLength, StandardCharsets.UTF_8);
        Class<?> type = byName.get(typeName);
        if (type == null) {
            throw new SessionDataException(Unreadable.TYPE, null);
        }
        int json = offset + 2 + nameLength;
        Object plain = fromPlainJson(type, bytes, json, bytes.length);
        if (plain != null) {
            return plain;
        }
        try {
            return mapper.readValue(bytes, json, bytes.length - json, type);
        } catch (IOException e) {
            throw new SessionDataException(Unreadable.JSON, null);
        }
    }

    /** The JSON of a plain value (printable-ASCII string, integer, boolean) as Jackson writes it; null for others. */
    private static byte @Nullable [] plainJson(Object value) {
        if (value instanceof String text) {
            byte[] json = new byte[text.length() + 2];
            json[0] = '"';
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                    return null; // escapes and UTF-8: Jackson's job
                }
                json[i + 1] = (byte) c;
            }
            json[json.length - 1] = '"';
            return json;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Boolean) {
            return value.toString().getBytes(StandardCharsets.US_ASCII);
        }
        return null;
    }

    /** The value of plain JSON (see {@link #plainJson}) of the given type; null when Jackson must read it. */
    private static @Nullable Object fromPlainJson(Class<?> type, byte[] bytes, int from, int to) {
        if (type == String.class) {
            if (to - from < 2 || bytes[from] != '"' || bytes[to - 1] != '"') {
                return null;
            }
            for (int i = from + 1; i < to - 1; i++) {
                byte b = bytes[i];
                if (b < 0x20 || b == '"' || b == '\\') { // also every byte of a multi-byte UTF-8 sequence (negative)
                    return null;
                }
            }
            return new String(bytes, from + 1, to - from - 2, StandardCharsets.US_ASCII);
        }
        if (type == Long.class || type == Integer.class) {
            int digits = to - from - (to > from && bytes[from] == '-' ? 1 : 0);
            if (digits < 1 || digits > (type == Long.class ? 18 : 9)) { // no overflow possible; longer ones go to Jackson
                return null;
            }
            long n = 0;
            for (int i = to - digits; i < to; i++) {
                int d = bytes[i] - '0';
                if (d < 0 || d > 9) {
                    return null;
                }
                n = n * 10 + d;
            }
            n = bytes[from] == '-' ? -n : n;
            return type == Long.class ? (Object) n : (Object) (int) n;
        }
        if (type == Boolean.class) {
            int length = to - from;
            if (length == 4 && bytes[from] == 't' && bytes[from + 1] == 'r' && bytes[from + 2] == 'u' && bytes[from + 3] == 'e') {
                return true;
            }
            if (length == 5 && bytes[from] == 'f' && bytes[from + 1] == 'a' && bytes[from + 2] == 'l' && bytes[from + 3] == 's'
                    && bytes[from + 4] == 'e') {
                return false;
            }
        }
        return null;
    }
}
