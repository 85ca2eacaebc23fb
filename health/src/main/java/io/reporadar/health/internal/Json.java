package io.reporadar.health.internal;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A minimal JSON writer for the health documents: the shapes are fixed and small, so a hand-written
 * writer keeps the module free of a JSON library and the render fast. Values: null, booleans, numbers
 * (a non-finite double is {@code null}: JSON has no NaN or Infinity), instants (ISO-8601 UTC with
 * milliseconds, as every timestamp of the documents), records (an object of their components), arrays,
 * iterables and maps; anything else as its {@code toString()} in a string.
 *
 * <p>Not thread-safe: one instance per document.
 */
public final class Json {

    private final StringBuilder out = new StringBuilder(512);
    private boolean needComma;

    public Json begin() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    public Json end() {
        out.append('}');
        needComma = true;
        return this;
    }

    public Json beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    public Json endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** Writes a key; the value follows. */
    public Json key(String key) {
        comma();
        string(key);
        out.append(':');
        needComma = false;
        return this;
    }

    /** Writes a key and its value ({@code null} is written as JSON {@code null}). */
    public Json field(String key, @Nullable Object value) {
        return key(key).value(value);
    }

    /** Writes a value rendered earlier by another {@code Json}, as is. */
    public Json raw(String json) {
        comma();
        out.append(json);
        needComma = true;
        return this;
    }

    /** Writes a value ({@code null} is written as JSON {@code null}). */
    public Json value(@Nullable Object value) {
        comma();
        if (value == null) {
            out.append("null");
        } else if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            out.append(Double.isFinite(number) ? value.toString() : "null"); // JSON has no NaN or Infinity
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Instant instant) {
            string(IsoTime.format(instant));
        } else if (value instanceof Record record) {
            out.append('{');
            needComma = false;
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                key(component.getName()).value(componentValue(component, record));
            }
            out.append('}');
        } else if (value.getClass().isArray()) {
            out.append('[');
            needComma = false;
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                value(Array.get(value, i));
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            needComma = false;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                key(String.valueOf(entry.getKey())).value(entry.getValue());
            }
            out.append('}');
        } else if (value instanceof Iterable<?> items) {
            out.append('[');
            needComma = false;
            for (Object item : items) {
                value(item);
            }
            out.append(']');
        } else {
            string(String.valueOf(value));
        }
        needComma = true;
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private static @Nullable Object componentValue(RecordComponent component, Record record) {
        try {
            Method accessor = component.getAccessor();
            accessor.trySetAccessible(); // a record the user declared private
            return accessor.invoke(record);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // an accessor that is not accessible or throws: nothing to show
        }
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
