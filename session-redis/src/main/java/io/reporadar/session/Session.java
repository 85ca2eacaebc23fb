package io.reporadar.session;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One session as a request sees it: attributes read from the store, the changes this request made, and the
 * timestamps the store enforces. Values are checked (allowed type, size) and encoded when set, so a bad value
 * fails at the line that set it.
 *
 * <p>Not thread-safe: a session belongs to one request at a time; parallel requests on the same session each
 * have their own copy, and the store merges their changes attribute by attribute.
 */
public final class Session {

    private final SessionStore store;
    private String id;
    private @Nullable String redisKey; // null in the in-memory store
    private final Instant created;
    private Instant lastAccessed;
    private boolean isNew;
    private boolean invalidated;
    private @Nullable String previousRedisKey;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, byte[]> encoded = new LinkedHashMap<>();
    private final Set<String> changed = new LinkedHashSet<>();
    private final Set<String> removed = new LinkedHashSet<>();
    private final Set<String> stale = new LinkedHashSet<>();
    private boolean staleMetadata;
    private int encodedBytes; // the sum of encoded's lengths

    Session(SessionStore store, String id, @Nullable String redisKey, Instant created, Instant lastAccessed, boolean isNew) {
        this.store = store;
        this.id = id;
        this.redisKey = redisKey;
        this.created = created;
        this.lastAccessed = lastAccessed;
        this.isNew = isNew;
    }

    public String id() {
        return id;
    }

    /** Whether this session was created by this request (nothing of it is in the store yet). */
    public boolean isNew() {
        return isNew;
    }

    public Instant created() {
        return created;
    }

    public Instant lastAccessed() {
        return lastAccessed;
    }

    /**
     * The attribute's value, or {@code null} when absent.
     *
     * @throws ClassCastException naming the attribute when it holds another type
     */
    public <T> @Nullable T get(String name, Class<T> type) {
        Object value = values.get(name);
        if (value != null && !type.isInstance(value)) {
            throw new ClassCastException("session attribute " + name + ": " + value.getClass().getName() + " (expected: " + type.getName() + ")");
        }
        return type.cast(value);
    }

    /**
     * Sets an attribute; only changed attributes are written when the session is saved.
     *
     * @throws IllegalArgumentException when the type is not allowed or the name is empty or too long
     * @throws SessionTooLargeException when the value, or the session with it, is larger than the store's limits;
     *         the session is left as it was
     */
    public void set(String name, Object value) {
        requireValid();
        if (value == null) {
            remove(name);
            return;
        }
        byte[] bytes = store.encodeAttribute(name, value);
        byte[] before = encoded.get(name);
        int size = encodedBytes - (before == null ? 0 : before.length) + bytes.length;
        store.checkSessionSize(size, name);
        encoded.put(name, bytes);
        encodedBytes = size;
        values.put(name, value);
        changed.add(name);
        removed.remove(name);
    }

    /** Removes an attribute; the save deletes it from the store. */
    public void remove(String name) {
        requireValid();
        boolean hadValue = values.remove(name) != null;
        byte[] bytes = encoded.remove(name);
        if (bytes != null) {
            encodedBytes -= bytes.length;
        }
        if (hadValue || bytes != null) {
            removed.add(name);
        }
        changed.remove(name);
    }

    /** The attribute names, in the order they were stored or set. */
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public boolean isInvalidated() {
        return invalidated;
    }

    boolean hasChanges() {
        return !changed.isEmpty() || !removed.isEmpty() || !stale.isEmpty() || staleMetadata;
    }

    /** The creation time was encrypted under a retired key: rewrite it under the primary one. */
    void metadataStale() {
        staleMetadata = true;
    }

    boolean isMetadataStale() {
        return staleMetadata;
    }

    void requireValid() {
        if (invalidated) {
            throw new IllegalStateException("session was invalidated");
        }
    }

    // Package-private state for the store.

    /** The session's key in Redis; only the Redis store's sessions have one. */
    String redisKey() {
        return Objects.requireNonNull(redisKey, "a session of the in-memory store has no Redis key");
    }

    /** The key the session had before its id changed in this request, or null. */
    @Nullable String previousRedisKey() {
        return previousRedisKey;
    }

    void loaded(String name, Object value, byte[] bytes, boolean staleKey) {
        values.put(name, value);
        byte[] before = encoded.put(name, bytes);
        encodedBytes += bytes.length - (before == null ? 0 : before.length);
        if (staleKey) {
            stale.add(name);
        }
    }

    Map<String, byte[]> encodedValues() {
        return encoded;
    }

    int encodedBytes() {
        return encodedBytes;
    }

    Set<String> changed() {
        return changed;
    }

    Set<String> removed() {
        return removed;
    }

    /** What a save of a stored session writes: the attributes changed, and those sealed under a retired key. */
    Set<String> toRewrite() {
        if (stale.isEmpty()) {
            return changed;
        }
        Set<String> names = new LinkedHashSet<>(changed);
        names.addAll(stale);
        return names;
    }

    void saved(Instant accessed) {
        isNew = false;
        lastAccessed = accessed;
        changed.clear();
        removed.clear();
        stale.clear();
        staleMetadata = false;
    }

    void touched(Instant accessed) {
        lastAccessed = accessed;
    }

    void renamed(String newId, @Nullable String newRedisKey) {
        previousRedisKey = redisKey;
        id = newId;
        redisKey = newRedisKey;
        // Every value was bound to the old key: all of them go to the new one.
        changed.addAll(values.keySet());
        isNew = true;
    }

    void invalidated() {
        invalidated = true;
    }

    @Override
    public String toString() {
        // The id is a bearer credential and the values may be personal: neither is shown.
        return "Session[" + values.size() + " attribute(s), created " + created + (isNew ? ", new" : "") + (invalidated ? ", invalidated" : "") + "]";
    }
}
