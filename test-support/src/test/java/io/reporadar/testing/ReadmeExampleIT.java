package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadmeExampleIT {

    @Test
    void theReadmeShowsThisExample() {
        ReadmeExamples.assertReadmeShows(Path.of("README.md"), Path.of("src/test/java/io/reporadar/testing/ReadmeExampleIT.java"));
    }

    @Test
    void theExampleRuns() throws Exception {
        new Example.CacheIT().survivesAFrozenRedis();
    }

    static class Example {
        // README example begins
        static class CacheIT {

            @Test
            void survivesAFrozenRedis() throws Exception {
                try (RedisServer redis = RedisServer.start("maxmemory 64mb");
                        FaultProxy proxy = FaultProxy.to(redis.host(), redis.port());
                        PostgresServer pg = PostgresServer.start(Map.of("max_connections", "20"));
                        PostgresDatabase db = pg.createDatabase()) {

                    // Point the code under test at proxy.port() and db.jdbcUrl(), then break things:
                    proxy.latency(Duration.ofMillis(50));
                    redis.freeze();   // SIGSTOP: connections stay open, nothing answers
                    redis.thaw();     // SIGCONT
                    redis.kill();     // SIGKILL
                    redis.restart();  // same port, empty

                    try (Connection c = db.connect(); Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SHOW max_connections")) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(20);
                    }
                }
            }
        }
        // README example ends
    }
}
