package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The compose topology is consistent with itself and with the env example (no Docker engine is needed:
 * the files are read as text).
 */
class DockerFilesTest {

    private static final Path DOCKER = Path.of("..", "docker");
    private static final Set<String> SERVICES = Set.of("nginx", "reporadar-1", "reporadar-2", "reporadar-3", "postgres",
            "redis-master", "redis-replica-1", "redis-replica-2", "sentinel-1", "sentinel-2", "sentinel-3");

    @Test
    void everyRequiredVariableOfTheComposeFileIsInTheEnvExample() throws IOException {
        String compose = Files.readString(DOCKER.resolve("docker-compose.multi-instance.yml"));
        Set<String> example = definedIn(Files.readString(DOCKER.resolve(".env.multi-instance.example")));
        Set<String> required = new TreeSet<>();
        Matcher reference = Pattern.compile("(?<!\\$)\\$\\{([A-Z_]+)(:\\?|\\})").matcher(compose);
        while (reference.find()) {
            required.add(reference.group(1));
        }
        assertThat(required).contains("POSTGRES_PASSWORD", "REDIS_PASSWORD");
        assertThat(example).containsAll(required)
                .contains("SESSION_SECRET", "SESSION_ENCRYPTION_KEY", "USE_REDIS_SESSIONS", "DB_POOL_MIN", "DB_POOL_MAX",
                        "INSTANCE_COUNT", "APP_ENV", "TRUSTED_PROXIES", "DRAIN_DELAY")
                .as("the drain delay in the one duration syntax, not its old spelling").doesNotContain("DRAIN_DELAY_SECONDS");
        assertThat(anchor(compose, "x-instance-env")).as("instances trust nginx on the compose network to name the client")
                .contains("TRUSTED_PROXIES: ${TRUSTED_PROXIES:-");
    }

    @Test
    void noSecretIsOnACommandLineAndNoneReachesTheImageAndCookiesAreSecureByDefault() throws IOException {
        String compose = Files.readString(DOCKER.resolve("docker-compose.multi-instance.yml"));
        for (String line : compose.lines().filter(l -> l.contains("command:") || l.contains("test:")).toList()) {
            assertThat(line).as("a command line (ps, docker inspect)").doesNotContain("--requirepass").doesNotContain("--masterauth")
                    .doesNotContain("redis-cli -a").doesNotContainPattern("(?<!\\$)\\$\\{?[A-Z_]*PASSWORD");
        }
        assertThat(compose).contains("REDISCLI_AUTH=");
        assertThat(anchor(compose, "x-sentinel")).as("Sentinels require a password of their own")
                .contains("requirepass $${REDIS_SENTINEL_PASSWORD}").contains("sentinel sentinel-pass $${REDIS_SENTINEL_PASSWORD}");
        assertThat(anchor(compose, "x-instance-env")).contains("REDIS_SENTINEL_PASSWORD:");
        assertThat(definedIn(Files.readString(DOCKER.resolve(".env.multi-instance.example")))).contains("APP_ENV");
        assertThat(Files.readString(DOCKER.resolve(".env.multi-instance.example"))).containsPattern("(?m)^APP_ENV=production$");
        List<String> ignored = Files.readAllLines(DOCKER.resolve("..").resolve(".dockerignore"));
        assertThat(ignored).as("the build context (the repository root) leaves out filled-in env files, keys and .git")
                .contains("**/.env.*", "**/.env", "!docker/.env.multi-instance.example", "**/*.pem", "**/*.key", ".git", "**/target");
    }

    @Test
    void everyServiceHasAHealthCheckAndTheHaProfileHasTwoReplicasAndThreeSentinelsWithQuorumTwo() throws IOException {
        String compose = Files.readString(DOCKER.resolve("docker-compose.multi-instance.yml"));
        Map<String, String> services = services(compose);
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
        String instance = anchor(compose, "x-instance");
        String sentinel = anchor(compose, "x-sentinel");
        String replica = anchor(compose, "x-redis-replica");
        services.forEach((name, block) -> {
            String effective = block + (block.contains("<<: *instance") ? instance : "") + (block.contains("<<: *sentinel") ? sentinel : "")
                    + (block.contains("<<: *redis-replica") ? replica : "");
            assertThat(effective).as(name + " has a health check").contains("healthcheck:");
            boolean ha = name.startsWith("sentinel") || name.startsWith("redis-replica");
            assertThat(effective.contains("profiles: [ha]")).as(name + " in the ha profile").isEqualTo(ha);
            if (name.startsWith("redis-")) {
                // any node may be master when it restarts: an empty one would be copied over its replicas
                assertThat(effective).as(name + " keeps an append-only file").contains("\"--appendonly\", \"yes\"");
                assertThat(effective).as(name + " starts unpromotable, for the promotion guard").contains("\"--replica-priority\", \"0\"");
                assertThat(effective).as(name + " starts as the replica of the master most Sentinels name, when they name another")
                        .contains("\"sh\", \"/usr/local/bin/start-node.sh\"").contains("./redis/start-node.sh:/usr/local/bin/start-node.sh:ro")
                        .contains("environment: *redis-node-env");
            }
        });
        assertThat(sentinel).contains("sentinel monitor reporadar-master redis-master 6379 2")
                .contains("down-after-milliseconds reporadar-master 5000").contains("failover-timeout reporadar-master 10000");
        assertThat(services.get("nginx")).contains("./nginx/nginx.conf:/etc/nginx/nginx.conf:ro").contains("\"8080:80\"");
    }

    @Test
    void theDeployScriptIsValidBashAndRefusesUnknownOptionsByName() throws Exception {
        Path script = Path.of("..", "scripts", "deploy-multi-instance.sh");
        Process syntax = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertThat(syntax.waitFor()).as(new String(syntax.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        Process unknown = new ProcessBuilder("bash", script.toString(), "--hq").redirectErrorStream(true).start();
        String output = new String(unknown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(unknown.waitFor()).isEqualTo(2);
        assertThat(output).contains("unknown option --hq (expected: --ha)");
        assertThat(Files.readString(Path.of("..", "scripts", "deploy-multi-instance.ps1"))).contains("[switch]$HA")
                .contains("docker/docker-compose.multi-instance.yml").contains("'--profile', 'ha'");
    }

    private static Set<String> definedIn(String envFile) {
        Set<String> names = new TreeSet<>();
        for (String line : envFile.lines().toList()) {
            Matcher definition = Pattern.compile("^([A-Z_]+)=").matcher(line);
            if (definition.find()) {
                names.add(definition.group(1));
            }
        }
        return names;
    }

    /** Each service's lines under {@code services:}, by name. */
    private static Map<String, String> services(String compose) {
        Map<String, String> services = new LinkedHashMap<>();
        String body = compose.substring(compose.indexOf("\nservices:\n") + 11, compose.indexOf("\nvolumes:\n"));
        String name = null;
        StringBuilder block = new StringBuilder();
        for (String line : body.lines().toList()) {
            Matcher header = Pattern.compile("^  ([a-z0-9-]+):$").matcher(line);
            if (header.find()) {
                if (name != null) {
                    services.put(name, block.toString());
                }
                name = header.group(1);
                block.setLength(0);
            } else {
                block.append(line).append('\n');
            }
        }
        services.put(name, block.toString());
        return services;
    }

    private static String anchor(String compose, String name) {
        int start = compose.indexOf("\n" + name + ":");
        int end = compose.indexOf("\n\n", start + 1);
        return compose.substring(start, end);
    }
}
