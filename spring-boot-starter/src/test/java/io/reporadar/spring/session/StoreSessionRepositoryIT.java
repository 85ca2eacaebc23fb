package io.reporadar.spring.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.session.KeyRing;
import io.reporadar.session.RedisSessionStore;
import io.reporadar.session.SessionRedis;
import io.reporadar.session.SessionSecrets;
import io.reporadar.testing.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Spring Session's repository contract, as {@code SessionRepositoryFilter} relies on it, against a real Redis. */
class StoreSessionRepositoryIT {

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.perClass();

    private SessionRedis connection;
    private StoreSessionRepository repository;

    @BeforeEach
    void open() {
        Map<String, String> env = Map.of("SESSION_SECRET", "a-repository-secret-of-32-characters!", "SESSION_ENCRYPTION_KEY",
                "0123456789abcdef".repeat(4));
        connection = SessionRedis.connect(redis.uri(), Duration.ofSeconds(1), Duration.ofSeconds(2));
        repository = new StoreSessionRepository(RedisSessionStore.builder(connection, SessionSecrets.fromEnvironment(env),
                KeyRing.fromEnvironment(env)).build());
    }

    @AfterEach
    void close() {
        connection.close();
    }

    @Test
    void aSessionSavedWithNothingInItIsFoundByTheCookieSpringSessionSent() {
        StoredSession created = repository.createSession();
        repository.save(created);

        StoredSession found = Objects.requireNonNull(repository.findById(created.getId()), "not found");
        assertThat(found.getAttributeNames()).isEmpty(); // the marker that keeps it is not the application's
        assertThat(found.getCreationTime().toEpochMilli()).isEqualTo(created.getCreationTime().toEpochMilli());
    }

    @Test
    void aLogoutAfterAnIdChangeInTheSameRequestEndsTheSessionUnderBothIds() {
        StoredSession session = repository.createSession();
        session.setAttribute("user", "ada");
        repository.save(session);
        String before = session.getId();

        StoredSession next = Objects.requireNonNull(repository.findById(before), "not found");
        String after = next.changeSessionId();   // login, against fixation
        repository.deleteById(after);            // then a logout in the same request: HttpSession.invalidate()

        assertThat(repository.findById(before)).isNull();
        assertThat(repository.findById(after)).isNull();
    }

    @Test
    void theNamesAreACopyThatSurvivesRemovingWhileWalking() {
        StoredSession session = repository.createSession();
        session.setAttribute("a", "1");
        session.setAttribute("b", "2");
        List<String> removed = new ArrayList<>();
        for (String name : Collections.list(Collections.enumeration(session.getAttributeNames()))) {
            session.removeAttribute(name);
            removed.add(name);
        }
        assertThat(removed).containsExactly("a", "b");
        assertThat(session.getAttributeNames()).isEmpty();
    }

    @Test
    void withinARequestTheLookUpAfterASaveIsAnsweredWithTheSavedSessionOnce() {
        StoredSession session = repository.createSession();
        session.setAttribute("user", "ada");
        try (StoreSessionRepository.RequestScope scope = StoreSessionRepository.openRequestScope()) {
            repository.save(session);
            assertThat(repository.findById(session.getId())).isSameAs(session);            // the second commit's look-up
            assertThat(repository.findById(session.getId())).isNotSameAs(session).isNotNull(); // then Redis again
            assertThat(scope).isNotNull();
        }
        repository.save(session);
        assertThat(repository.findById(session.getId())).as("outside a request scope, always Redis").isNotSameAs(session);
    }

    @Test
    void aForgedOrUnknownIdFindsNothing() {
        StoredSession session = repository.createSession();
        session.setAttribute("user", "grace");
        repository.save(session);

        assertThat(repository.findById(session.getId() + "x")).isNull();
        assertThat(repository.findById("not-a-session")).isNull();
    }
}
