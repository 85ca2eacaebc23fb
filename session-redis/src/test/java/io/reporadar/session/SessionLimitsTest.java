package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a session holds and how large it may grow, checked where the request changes it. */
class SessionLimitsTest {

    private final InMemorySessionStore store = InMemorySessionStore.builder(
            SessionSecrets.of(RedisSessionStoreIT.SECRET, List.of(), SessionSecrets.CookieFormat.REPORADAR)).build();

    @Test
    void aRemovedAttributeIsNeitherSavedNorCountedTowardTheLimit() {
        Session session = store.create();
        session.set("draft", "x".repeat(60_000));
        session.remove("draft");
        session.set("user", "ada");
        store.save(session);

        Session loaded = store.load(store.cookieValue(session));
        assertThat(loaded.names()).containsExactly("user");
        for (int i = 0; i < 8; i++) { // 8 x 60 kB fit the 512 KiB limit only if the removed value is not counted
            loaded.set("part" + i, "y".repeat(60_000));
        }
        assertThat(loaded.names()).hasSize(9);
    }

    @Test
    void aValueThatWouldTakeTheSessionOverItsLimitFailsWhereItIsSetAndChangesNothing() {
        Session session = store.create();
        for (int i = 0; i < 8; i++) {
            session.set("part" + i, "y".repeat(60_000));
        }
        assertThatThrownBy(() -> session.set("part8", "secret-" + "z".repeat(60_000)))
                .isInstanceOf(SessionTooLargeException.class)
                .hasMessageStartingWith("session attribute part8: the session would hold ")
                .hasMessageEndingWith("bytes of attributes (expected: at most 524288)")
                .hasMessageNotContaining("secret");
        assertThat(session.names()).hasSize(8);
        session.set("part7", "smaller"); // replacing a value counts the new size, not both
        session.set("part8", "y".repeat(60_000));
        store.save(session);
        assertThat(store.load(store.cookieValue(session)).names()).hasSize(9);
    }

    @Test
    void theInMemoryStoreHoldsAtMostItsMaximumSweepsExpiredSessionsAndNeverEvictsALiveOne() {
        io.reporadar.testing.ManualClock clock = new io.reporadar.testing.ManualClock();
        InMemorySessionStore bounded = InMemorySessionStore.builder(
                SessionSecrets.of(RedisSessionStoreIT.SECRET, List.of(), SessionSecrets.CookieFormat.REPORADAR)).clock(clock).maxSessions(3).build();
        List<String> cookies = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cookies.add(RedisSessionStoreIT.savedCookie(bounded, "user", "user" + i));
        }
        assertThatThrownBy(() -> RedisSessionStoreIT.savedCookie(bounded, "user", "mallory"))
                .isInstanceOf(SessionStoreUnavailableException.class);
        assertThat(bounded.size()).isEqualTo(3);
        assertThat(bounded.load(cookies.get(0)).get("user", String.class)).as("no live session evicted").isEqualTo("user0");

        clock.advance(Duration.ofMinutes(31)); // all three idle too long
        String next = RedisSessionStoreIT.savedCookie(bounded, "user", "ada");
        assertThat(bounded.size()).as("the expired ones swept to make room").isEqualTo(1);
        assertThat(bounded.load(next).get("user", String.class)).isEqualTo("ada");
        assertThatThrownBy(() -> InMemorySessionStore.builder(SessionSecrets.of(RedisSessionStoreIT.SECRET, List.of(),
                SessionSecrets.CookieFormat.REPORADAR)).maxSessions(0))
                .hasMessage("maxSessions: 0 (expected: 1 or more)");
    }

    @Test
    void aValueOverTheAttributeLimitFailsWhereItIsSet() {
        Session session = store.create();
        assertThatThrownBy(() -> session.set("upload", "x".repeat(70_000))).isInstanceOf(SessionTooLargeException.class)
                .hasMessageStartingWith("session attribute upload: ").hasMessageEndingWith("(expected: at most 65536)");
        assertThat(session.names()).isEmpty();
    }
}
