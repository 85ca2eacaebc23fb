package io.reporadar.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns attribute values into bytes and back with Jackson, for an explicit allow-list of types only: no
 * default typing, never Java serialization, so stored data can name no class the application did not list.
 *
 * <p>Format: {@code version(1) | type name length(1) | type name | JSON}. Built-in types: String, Integer,
 * Long, Boolean, Double. Thread-safe.
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
            byte[] json = mapper.writeValueAsBytes(value);
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
            throw new SessionDataException("format", null);
        }
        int nameLength = bytes[offset + 1] & 0xff;
        String typeName = new String(bytes, offset + 2, nameLength, StandardCharsets.UTF_8);
        Class<?> type = byName.get(typeName);
        if (type == null) {
            throw new SessionDataException("type", null);
        }
        int json = offset + 2 + nameLength;
        try {
            return mapper.readValue(bytes, json, bytes.length - json, type);
        } catch (IOException e) {
            throw new SessionDataException("json", null);
        }
    }
}
