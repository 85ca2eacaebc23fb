package io.reporadar.spring.session;

import io.reporadar.session.Session;
import io.reporadar.session.SessionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of our sessions as Spring Session sees it. Its id is the signed cookie value (the session id and its
 * HMAC), so a forged or altered cookie finds nothing; the store keeps the timestamps and the timeouts.
 *
 * <p>Not thread-safe: a session belongs to one request at a time, as in {@link Session}.
 */
public final class StoredSession implements org.springframework.session.Session {

    private static final Logger LOG = LoggerFactory.getLogger(StoredSession.class);
    private static final AtomicBoolean WARNED_INTERVAL = new AtomicBoolean();
    /**
     * Stored in a new session saved with no attribute: Spring Session sends the session's cookie whatever the session
     * holds, and the next request must find it (our store keeps nothing for a session holding nothing). Hidden from
     * the application.
     */
    static final String CREATED = "reporadar.created";

    private final SessionStore store;
    private final Session session;
    private @Nullable String signedId; // the signature of session.id(), computed once per id
    private @Nullable String signedFor;

    StoredSession(SessionStore store, Session session) {
        this.store = store;
        this.session = session;
    }

    /** The session of our store behind this one. */
    public Session session() {
        return session;
    }

    @Override
    public String getId() {
        String id = session.id();
        String signed = signedId;
        if (signed == null || !id.equals(signedFor)) {
            signed = store.cookieValue(session);
            signedId = signed;
            signedFor = id;
        }
        return signed;
    }

    @Override
    public String changeSessionId() {
        store.changeId(session);
        return getId();
    }

    @Override
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    public <T> @Nullable T getAttribute(String attributeName) {
        return attributeName.equals(CREATED) ? null : (T) session.get(attributeName, Object.class);
    }

    /** A copy: a caller may remove attributes while it walks the names, as with Spring Session's own sessions. */
    @Override
    public Set<String> getAttributeNames() {
        Set<String> names = new LinkedHashSet<>(session.names());
        names.remove(CREATED);
        return names;
    }

    /**
     * Sets an attribute of an allowed type ({@code reporadar.session.allowed-types}).
     *
     * @throws IllegalArgumentException naming the attribute and its type when the type is not allowed
     */
    @Override
    public void setAttribute(String attributeName, @Nullable Object attributeValue) {
        if (attributeValue == null) {
            session.remove(attributeName);
        } else {
            session.set(attributeName, attributeValue);
        }
    }

    @Override
    public void removeAttribute(String attributeName) {
        session.remove(attributeName);
    }

    /** Before a save: a new session that holds nothing still gets stored, with the hidden {@link #CREATED} marker. */
    void markCreatedIfEmpty() {
        if (session.isNew() && session.names().isEmpty()) {
            session.set(CREATED, true);
        }
    }

    @Override
    public Instant getCreationTime() {
        return session.created();
    }

    /** The store records the access when the request saves; the time given here is not needed. */
    @Override
    public void setLastAccessedTime(Instant lastAccessedTime) {
        // the store's clock decides, once per request, at the save
    }

    @Override
    public Instant getLastAccessedTime() {
        return session.lastAccessed();
    }

    /**
     * Per-session timeouts are not supported: every session of the store has its idle timeout
     * ({@code reporadar.session.idle-timeout}). A different value is ignored, with one warning per process.
     */
    @Override
    public void setMaxInactiveInterval(Duration interval) {
        if (!interval.equals(store.idleTimeout()) && WARNED_INTERVAL.compareAndSet(false, true)) {
            LOG.warn("HttpSession.setMaxInactiveInterval({} s) is ignored: every session expires after reporadar.session.idle-timeout"
                    + " ({} s) unused, and after reporadar.session.absolute-timeout in any case", interval.toSeconds(), store.idleTimeout().toSeconds());
        }
    }

    @Override
    public Duration getMaxInactiveInterval() {
        return store.idleTimeout();
    }

    /** Never: the store does not hand out expired sessions. */
    @Override
    public boolean isExpired() {
        return false;
    }

    @Override
    public String toString() {
        return "StoredSession[" + session + "]";
    }
}
