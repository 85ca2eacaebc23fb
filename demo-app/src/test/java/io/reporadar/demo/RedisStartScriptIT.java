package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.reporadar.testing.RedisSentinelTopology;
import io.reporadar.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docker/redis/start-node.sh, the compose file's start command for Redis data nodes, against real Sentinels
 * (with {@code REDIS_SERVER=echo}, so that it prints the command line it would run): a node that starts while
 * most Sentinels name another node starts as that node's replica; the node they name, or any node while they
 * do not answer, starts as its arguments say; the password goes into a file, not onto the command line.
 */
class RedisStartScriptIT {

    private static final Path SCRIPT = Path.of("..", "docker", "redis", "start-node.sh");

    @Test
    void aNodeStartsAsTheReplicaOfTheMasterMostSentinelsNameUnlessItIsThatMaster() throws Exception {
        assertThat(new ProcessBuilder("sh", "-c", "command -v redis-cli").start().waitFor())
                .as("the script asks the Sentinels with redis-cli: apt-get install redis-tools (Debian/Ubuntu), brew install redis (macOS)")
                .isZero();
        try (RedisSentinelTopology redis = RedisSentinelTopology.builder().replicas(1).downAfter(Duration.ofSeconds(1))
                .failoverTimeout(Duration.ofSeconds(3)).sentinelPassword("sentinels-secret-0123456789").start()) {
            RedisServer old = redis.master();
            old.kill();
            RedisServer promoted = redis.awaitFailover(Duration.ofSeconds(30), old);
            // The Sentinel asked first may name it before the others have heard (CI): the script asks for most of them.
            org.awaitility.Awaitility.await("every Sentinel names the promoted node").atMost(Duration.ofSeconds(30)).until(() -> redis.sentinels()
                    .stream().allMatch(s -> List.of("127.0.0.1", Integer.toString(promoted.port())).equals(
                            s.call("SENTINEL", "get-master-addr-by-name", redis.masterName()))));
            String sentinels = redis.sentinels().stream().map(s -> s.host() + ":" + s.port()).collect(Collectors.joining(" "));
            Map<String, String> env = Map.of("REDIS_SENTINELS", sentinels, "REDIS_SENTINEL_PASSWORD", "sentinels-secret-0123456789",
                    "REDIS_SELF_ADDRESSES", "127.0.0.1", "REDIS_PORT", Integer.toString(old.port()));

            assertThat(run(env, "--appendonly", "yes")).as("the old master, back")
                    .endsWith(" --appendonly yes --replicaof 127.0.0.1 " + promoted.port());
            assertThat(run(with(env, "REDIS_PORT", Integer.toString(promoted.port())), "--appendonly", "yes")).as("the master itself")
                    .endsWith(" --appendonly yes");
            assertThat(run(with(env, "REDIS_SENTINEL_PASSWORD", "wrong-password-0123456789"), "--appendonly", "yes"))
                    .as("Sentinels that do not answer: as the arguments say").endsWith(" --appendonly yes");
            redis.sentinels().get(0).kill();
            assertThat(run(env, "--appendonly", "yes")).as("two of three Sentinels still agree")
                    .endsWith(" --replicaof 127.0.0.1 " + promoted.port());
        }
    }

    /** Runs the script with {@code REDIS_SERVER=echo}; returns the command line it would have run. */
    private static String run(Map<String, String> env, String... arguments) throws Exception {
        Path auth = Files.createTempFile("reporadar-auth", ".conf");
        try {
            List<String> command = new java.util.ArrayList<>(List.of("sh", SCRIPT.toString()));
            command.addAll(List.of(arguments));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().putAll(env);
            builder.environment().put("REDIS_PASSWORD", "data-nodes-secret-0123456789");
            builder.environment().put("REDIS_AUTH_FILE", auth.toString());
            builder.environment().put("REDIS_SERVER", "echo");
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(process.waitFor()).as(output).isZero();
            assertThat(output).startsWith(auth.toString()).doesNotContain("data-nodes-secret");
            assertThat(Files.readString(auth)).isEqualTo("requirepass \"data-nodes-secret-0123456789\"\nmasterauth \"data-nodes-secret-0123456789\"\n");
            return output;
        } finally {
            Files.deleteIfExists(auth);
        }
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> changed = new java.util.HashMap<>(env);
        changed.put(name, value);
        return changed;
    }
}
