package io.reporadar.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reporadar.testing.RedisServer;
import org.junit.jupiter.api.Test;

/** Start-up refuses a Redis that may evict the queue's keys, and says how it found out. */
class EvictionPolicyIT {

    @Test
    void anEvictingRedisIsRefusedNamingItsPolicy() {
        try (RedisServer redis = RedisServer.start("maxmemory 64mb", "maxmemory-policy allkeys-lru"); Fixture fx = new Fixture(redis.uri())) {
            assertThatThrownBy(() -> fx.queue("jobs").build()).isInstanceOf(IllegalStateException.class)
                    .hasMessage("job queue jobs: Redis's maxmemory-policy is allkeys-lru, which would evict waiting jobs and leases when"
                            + " memory runs short (expected: noeviction; CONFIG SET maxmemory-policy noeviction, and in redis.conf)");
        }
    }

    @Test
    void whereConfigIsRenamedThePolicyIsReadFromInfo() {
        try (RedisServer redis = RedisServer.start("rename-command CONFIG \"\"", "maxmemory-policy volatile-lru");
                Fixture fx = new Fixture(redis.uri())) {
            assertThatThrownBy(() -> fx.queue("jobs").build()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("maxmemory-policy is volatile-lru");
        }
        try (RedisServer redis = RedisServer.start("rename-command CONFIG \"\"", "maxmemory-policy noeviction");
                Fixture fx = new Fixture(redis.uri())) {
            assertThat(fx.queue("jobs").build().name()).isEqualTo("jobs");
        }
    }

    @Test
    void whenNeitherConfigNorInfoIsAllowedStartUpSaysWhatToAllow() {
        try (RedisServer redis = RedisServer.start("user limited on >a-secret-password ~* &* +@all -config -info");
                Fixture fx = new Fixture(redis.uri())) {
            String limited = "redis://limited:a-secret-password@" + redis.host() + ":" + redis.port();
            assertThatThrownBy(() -> JobQueue.builder(fx.redis(limited), "jobs", Fixture.KEYS).build()).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("job queue jobs: cannot read Redis's maxmemory-policy (CONFIG GET answered 'NOPERM")
                    .hasMessageContaining("allow one of them for this connection's user (ACL: +config|get or +info)")
                    .message().doesNotContain("a-secret-password");
        }
    }
}
