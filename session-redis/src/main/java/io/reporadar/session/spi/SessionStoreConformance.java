package io.reporadar.session.spi;

import io.reporadar.session.Session;
import io.reporadar.session.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * The contract every {@link SessionStore} keeps, checked through its public API; {@code RedisSessionStore} and
 * {@code InMemorySessionStore} pass it. Call it from a test, in any test framework (a broken rule throws an
 * {@link AssertionError} that names it), with a function that builds the store on the clock it is given:
 *
 * <pre>{@code
 * @Test
 * void keepsTheSessionStoreContract() {
 *     SessionStoreConformance.of(clock -> RedisSessionStore.builder(connection, secrets, keys).clock(clock).build()).verify();
 * }
 * }</pre>
 *
 * <p>What it checks: a load without a cookie, with a forged one or with one naming no session gives a fresh
 * session and never fails; what a request set is read back by the next one, and a save with nothing changed
 * writes nothing; two requests on the same session that change different attributes keep both changes; a save
 * still in flight when the session is invalidated (a logout) does not bring it back; a new id (after login)
 * carries the data and a new cookie; a session unused for the idle timeout, or older than the absolute timeout
 * however active, is gone; four threads with sessions of their own lose nothing; and neither the store's nor a
 * session's {@code toString()} shows an id, a cookie or a value. The clock it passes starts at the system's time
 * and only ever moves forward.
 *
 * <p>It has no dependency on any test framework, and nothing in the module depends on it.
 */
public final class SessionStoreConformance {

    private static final int THREADS = 4;
    private static final int SESSIONS_PER_THREAD = 50;

    private final Function<Clock, SessionStore> newStore;

    private SessionStoreConformance(Function<Clock, SessionStore> newStore) {
        this.newStore = Objects.requireNonNull(newStore, "newStore");
    }

    /**
     * The checks of the store {@code newStore} builds.
     *
     * @param newStore builds the store to check on the clock it is given (called once per check)
     */
    public static SessionStoreConformance of(Function<Clock, SessionStore> newStore) {
        return new SessionStoreConformance(newStore);
    }

    /** Runs every check; throws an {@link AssertionError} naming the first rule broken. */
    public void verify() {
        aLoadWithoutAValidCookieGivesAFreshSession();
        whatARequestSetIsReadBackAndAnUnchangedSaveWritesNothing();
        requestsChangingDifferentAttributesKeepBoth();
        aSaveInFlightDoesNotUndoALogout();
        aNewIdCarriesTheDataAndANewCookie();
        sessionsExpireWhenIdleAndWhenOld();
        concurrentRequestsLoseNothing();
        toStringShowsNoIdCookieOrValue();
    }

    private void aLoadWithoutAValidCookieGivesAFreshSession() {
        SessionStore store = newStore.apply(new SteppingClock());
        Session none = store.load(null);
        check(none.isNew() && none.names().isEmpty(), "a load without a cookie gives a fresh session");
        for (String cookie : List.of("", "not-a-cookie", "s:forged.signature", "%E0%A4%A")) {
            Session session = store.load(cookie);
            check(session.isNew() && session.names().isEmpty(), "a load with cookie \"" + cookie + "\" gives a fresh session");
        }
        Session saved = saved(store, "user", "ada");
        String cookie = store.cookieValue(saved);
        String forged = cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("AA") ? "BB" : "AA");
        check(store.load(forged).isNew(), "a load with a cookie whose signature was altered gives a fresh session");
        check(!store.verifies(forged), "verifies() refuses a cookie whose signature was altered");
        check(store.verifies(cookie), "verifies() accepts the cookie the store made");
    }

    private void whatARequestSetIsReadBackAndAnUnchangedSaveWritesNothing() {
        SessionStore store = newStore.apply(new SteppingClock());
        Session first = store.create();
        first.set("user", "ada");
        first.set("visits", 3L);
        first.set("admin", false);
        store.save(first);
        check(!first.isNew(), "a saved session is no longer new");
        Session next = store.load(store.cookieValue(first));
        check(!next.isNew(), "the next request finds the saved session");
        check("ada".equals(next.get("user", String.class)) && Long.valueOf(3).equals(next.get("visits", Long.class))
                && Boolean.FALSE.equals(next.get("admin", Boolean.class)), "the next request reads back what the first set");
        next.remove("admin");
        store.save(next);
        check(!store.load(store.cookieValue(first)).names().contains("admin"), "a removed attribute is gone for the next request");
        long unchangedBefore = count(store, "save-unchanged");
        store.save(store.load(store.cookieValue(first)));
        check(count(store, "save-unchanged") == unchangedBefore + 1, "a save with nothing changed writes nothing (counts() says save-unchanged)");
    }

    private void requestsChangingDifferentAttributesKeepBoth() {
        SessionStore store = newStore.apply(new SteppingClock());
        String cookie = store.cookieValue(saved(store, "cart", "1 book"));
        Session one = store.load(cookie);
        Session two = store.load(cookie);
        one.set("cart", "2 books");
        two.set("theme", "dark");
        store.save(one);
        store.save(two);
        Session after = store.load(cookie);
        check("2 books".equals(after.get("cart", String.class)) && "dark".equals(after.get("theme", String.class)),
                "two requests on one session that change different attributes keep both changes");
    }

    private void aSaveInFlightDoesNotUndoALogout() {
        SessionStore store = newStore.apply(new SteppingClock());
        String cookie = store.cookieValue(saved(store, "user", "ada"));
        Session logout = store.load(cookie);
        Session inFlight = store.load(cookie);
        store.invalidate(logout);
        check(logout.isInvalidated(), "invalidate() marks the session invalidated");
        inFlight.set("last-page", "/settings");
        store.save(inFlight);
        Session after = store.load(cookie);
        check(after.isNew() && after.names().isEmpty(), "a save in flight when the session was invalidated does not bring it back");
        check(inFlight.isInvalidated(), "the refused save marks its session invalidated");
    }

    private void aNewIdCarriesTheDataAndANewCookie() {
        SessionStore store = newStore.apply(new SteppingClock());
        Session session = saved(store, "cart", "1 book");
        String before = store.cookieValue(session);
        String id = session.id();
        Session login = store.load(before);
        store.changeId(login);
        login.set("user", "ada");
        store.save(login);
        check(!login.id().equals(id) && !store.cookieValue(login).equals(before), "changeId() gives a new id and a new cookie");
        Session after = store.load(store.cookieValue(login));
        check("1 book".equals(after.get("cart", String.class)) && "ada".equals(after.get("user", String.class)),
                "the new id carries the session's data and what the request set");
    }

    private void sessionsExpireWhenIdleAndWhenOld() {
        SteppingClock clock = new SteppingClock();
        SessionStore store = newStore.apply(clock);
        Duration idle = store.idleTimeout();
        String idleCookie = store.cookieValue(saved(store, "user", "ada"));
        clock.advance(idle.minusSeconds(1));
        check(!store.load(idleCookie).isNew(), "a session used within its idle timeout is found");
        clock.advance(idle.plusSeconds(1));
        check(store.load(idleCookie).isNew(), "a session unused for longer than its idle timeout (" + idle + ") is gone");

        SteppingClock old = new SteppingClock();
        SessionStore aging = newStore.apply(old);
        Duration absolute = aging.absoluteTimeout();
        Duration step = aging.idleTimeout().dividedBy(2);
        String cookie = aging.cookieValue(saved(aging, "visits", 0L));
        Instant start = old.instant();
        Instant lastFound = start;
        long visits = 0;
        while (!old.instant().isAfter(start.plus(absolute))) {
            old.advance(step);
            Session session = aging.load(cookie);
            if (session.isNew()) {
                break;
            }
            lastFound = old.instant();
            session.set("visits", ++visits);
            aging.save(session);
        }
        check(!lastFound.isBefore(start.plus(absolute).minus(step)),
                "a session used every " + step + " lives until its absolute timeout (" + absolute + ")");
        old.advance(step);
        check(aging.load(cookie).isNew(), "a session older than its absolute timeout (" + absolute + ") is gone however active");
    }

    private void concurrentRequestsLoseNothing() {
        SessionStore store = newStore.apply(new SteppingClock());
        ConcurrentLinkedQueue<String> broken = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < SESSIONS_PER_THREAD; i++) {
                        String value = thread + "/" + i;
                        String cookie = store.cookieValue(saved(store, "value", value));
                        if (!value.equals(store.load(cookie).get("value", String.class))) {
                            broken.add("session " + value + " did not read back");
                        }
                    }
                } catch (RuntimeException e) {
                    broken.add(e.toString());
                }
            }, "session-conformance-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while checking concurrent requests", e);
            }
        }
        check(broken.isEmpty(), THREADS + " threads saving and loading sessions of their own lose nothing: " + broken);
    }

    private void toStringShowsNoIdCookieOrValue() {
        SessionStore store = newStore.apply(new SteppingClock());
        Session session = saved(store, "email", "ada@example.com");
        String cookie = store.cookieValue(session);
        for (String text : new String[] {store.toString(), session.toString(), store.load(cookie).toString()}) {
            check(!text.contains(session.id()) && !text.contains(cookie) && !text.contains("ada@example.com"),
                    "toString() shows no session id, cookie or attribute value: " + text);
        }
    }

    private static Session saved(SessionStore store, String name, Object value) {
        Session session = store.create();
        session.set(name, value);
        store.save(session);
        return session;
    }

    private static long count(SessionStore store, String name) {
        Map<String, Long> counts = store.counts();
        return counts.getOrDefault(name, 0L);
    }

    private static void check(boolean kept, String rule) {
        if (!kept) {
            throw new AssertionError("session store contract broken: " + rule);
        }
    }

    /** Starts at the system's time, moves only when told to. Thread-safe. */
    private static final class SteppingClock extends Clock {
        private volatile Instant now = Instant.now();

        synchronized void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("a test clock has one zone");
        }
    }
}
