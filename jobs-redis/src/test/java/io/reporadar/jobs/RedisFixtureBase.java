package io.reporadar.jobs;

import io.reporadar.testing.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What most of the queue's Redis tests share: the shared test Redis, and a {@link Fixture} on it for each test. */
abstract class RedisFixtureBase {

    @RegisterExtension
    static final RedisExtension redisServer = RedisExtension.shared();

    /** The fixture of the running test, closed after it. */
    protected Fixture fx;

    @BeforeEach
    void openFixture() {
        fx = new Fixture(redisServer.uri());
    }

    @AfterEach
    void closeFixture() {
        fx.close();
    }
}
