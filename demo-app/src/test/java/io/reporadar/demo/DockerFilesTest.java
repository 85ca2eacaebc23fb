package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The compose topology is consistent with itself and with the env example (no Docker engine is needed:
 * the files are read as text; DockerComposeModelTest reads them as Compose v1 and v2 do).
 */
class DockerFilesTest {

    private static final Path DOCKER = Path.of("..", "docker");
    private static final List<String> COMPOSE_FILES = List.of("docker-compose.multi-instance.yml", "docker-compose.ha.yml",
            "docker-compose.tls.yml");
    private static final Set<String> STANDARD_SERVICES = Set.of("nginx", "reporadar", "postgres", "redis-master", "prometheus",
            "nginx-exporter", "grafana");
    /** Built FROM scratch: no shell nor wget for a health check (Prometheus's up{job="nginx"} watches it). */
    private static final String NO_SHELL = "nginx-exporter";
    private static final Set<String> HA_SERVICES = Set.of("reporadar", "redis-replica-1", "redis-replica-2", "sentinel-1", "sentinel-2",
            "sentinel-3");

    @Test
    void everyRequiredVariableOfTheComposeFilesIsInTheEnvExample() throws IOException {
        String compose = Files.readString(DOCKER.resolve("docker-compose.multi-instance.yml"));
        Set<String> example = definedIn(Files.readString(DOCKER.resolve(".env.multi-instance.example")));
        Set<String> required = new TreeSet<>();
        for (String file : COMPOSE_FILES) {
            Matcher reference = Pattern.compile("(?<!\\$)\\$\\{([A-Z_]+)(:\\?|\\})").matcher(Files.readString(DOCKER.resolve(file)));
            while (reference.find()) {
                required.add(reference.group(1));
            }
        }
        assertThat(required).contains("POSTGRES_PASSWORD", "REDIS_PASSWORD", "REDIS_SENTINEL_PASSWORD");
        assertThat(example).containsAll(required)
                .contains("SESSION_SECRET", "SESSION_ENCRYPTION_KEY", "USE_REDIS_SESSIONS", "DB_POOL_MIN", "DB_POOL_MAX",
                        "INSTANCE_COUNT", "APP_ENV", "TRUSTED_PROXIES", "DRAIN_DELAY", "LB_PORT", "LB_HTTPS_PORT")
                .as("the compose file has no top-level name (Compose v1 rejects it): the env file names the project")
                .contains("COMPOSE_PROJECT_NAME")
                .as("the compose files set REDIS_URL (environment: wins over env_file:)").doesNotContain("REDIS_URL")
                .as("the drain delay in the one duration syntax, not its old spelling").doesNotContain("DRAIN_DELAY_SECONDS");
        assertThat(compose).doesNotContainPattern("(?m)^name:");
        assertThat(anchor(compose, "x-instance-env")).as("instances trust nginx on the compose network to name the client")
                .contains("TRUSTED_PROXIES: ${TRUSTED_PROXIES:-");
    }

    @Test
    void noSecretIsOnACommandLineAndNoneReachesTheImageAndCookiesAreSecureByDefault() throws IOException {
        for (String file : COMPOSE_FILES) {
            String compose = Files.readString(DOCKER.resolve(file));
            for (String line : compose.lines().filter(l -> l.contains("command:") || l.contains("test:")).toList()) {
                assertThat(line).as(file + ": a command line (ps, docker inspect)").doesNotContain("--requirepass").doesNotContain("--masterauth")
                        .doesNotContain("redis-cli -a").doesNotContainPattern("(?<!\\$)\\$\\{?[A-Z_]*PASSWORD");
            }
        }
        String ha = Files.readString(DOCKER.resolve("docker-compose.ha.yml"));
        assertThat(Files.readString(DOCKER.resolve("docker-compose.multi-instance.yml"))).contains("REDISCLI_AUTH=");
        assertThat(anchor(ha, "x-sentinel")).as("Sentinels require a password of their own")
                .contains("requirepass $${REDIS_SENTINEL_PASSWORD}").contains("sentinel sentinel-pass $${REDIS_SENTINEL_PASSWORD}");
        assertThat(anchor(ha, "x-instance-ha")).contains("REDIS_SENTINEL_PASSWORD: ${REDIS_SENTINEL_PASSWORD:?");
        assertThat(definedIn(Files.readString(DOCKER.resolve(".env.multi-instance.example")))).contains("APP_ENV");
        assertThat(Files.readString(DOCKER.resolve(".env.multi-instance.example"))).containsPattern("(?m)^APP_ENV=production$");
        List<String> ignored = Files.readAllLines(DOCKER.resolve("..").resolve(".dockerignore"));
        assertThat(ignored).as("the build context (the repository root) leaves out filled-in env files, keys and .git")
                .contains("**/.env.*", "**/.env", "!docker/.env.multi-instance.example", "**/*.pem", "**/*.key", ".git", "**/target");
    }

    @Test
    void everyServiceHasAHealthCheckAndTheHaFileHasTwoReplicasAndThreeSentinelsWithQuorumTwo() throws IOException {
        String standard = Files.readString(DOCKER.resolve("docker-compose.multi-instance.yml"));
        String ha = Files.readString(DOCKER.resolve("docker-compose.ha.yml"));
        Map<String, String> services = services(standard);
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(STANDARD_SERVICES);
        Map<String, String> haServices = services(ha);
        assertThat(haServices.keySet()).as("the ha file adds the replicas and Sentinels and points the instances at them")
                .containsExactlyInAnyOrderElementsOf(HA_SERVICES);
        String instance = anchor(standard, "x-instance");
        String sentinel = anchor(ha, "x-sentinel");
        String replica = anchor(ha, "x-redis-replica");
        services.forEach((name, block) -> assertThat(block + (block.contains("<<: *instance") ? instance : ""))
                .as(name + " has a health check").contains(name.equals(NO_SHELL) ? "" : "healthcheck:"));
        haServices.forEach((name, block) -> {
            if (name.equals("reporadar")) {
                assertThat(block).contains("<<: *instance-ha");
                return;
            }
            assertThat(block + sentinel + replica).as(name + " has a health check").contains("healthcheck:");
        });
        assertThat(ha).as("the ha topology is a file of its own, not a profile beside instances that ignore it")
                .doesNotContain("profiles:");
        services.forEach((name, block) -> assertThat(block.contains("profiles: [monitoring]"))
                .as(name + ": only the monitoring services are in a profile").isEqualTo(Set.of("prometheus", "nginx-exporter", "grafana").contains(name)));
        Map<String, String> redisNodes = new TreeMap<>(Map.of("redis-master", services.get("redis-master"),
                "redis-replica-1", haServices.get("redis-replica-1") + replica, "redis-replica-2", haServices.get("redis-replica-2") + replica));
        redisNodes.forEach((name, effective) -> {
            // any node may be master when it restarts: an empty one would be copied over its replicas
            assertThat(effective).as(name + " keeps an append-only file").contains("\"--appendonly\", \"yes\"");
            assertThat(effective).as(name + " starts unpromotable, for the promotion guard").contains("\"--replica-priority\", \"0\"");
            assertThat(effective).as(name + " starts as the replica of the master most Sentinels name, when they name another")
                    .contains("\"sh\", \"/usr/local/bin/start-node.sh\"").contains("./redis/start-node.sh:/usr/local/bin/start-node.sh:ro")
                    .contains("environment: *redis-node-env");
        });
        assertThat(sentinel).contains("sentinel monitor reporadar-master redis-master 6379 2")
                .contains("down-after-milliseconds reporadar-master 5000").contains("failover-timeout reporadar-master 10000");
        assertThat(anchor(ha, "x-instance-ha")).contains("REDIS_URL: redis-sentinel://").contains("SESSION_DURABILITY: replica-required");
        assertThat(services.get("reporadar")).as("one service, scaled to INSTANCE_COUNT replicas").contains("scale: ${INSTANCE_COUNT:-3}")
                .doesNotContain("container_name").doesNotContain("ports:");
        assertThat(anchor(standard, "x-instance-env")).as("each replica is named by its host name").doesNotContainPattern("(?m)^ +INSTANCE_ID:")
                .contains("INSTANCE_COUNT: ${INSTANCE_COUNT:-3}");
        assertThat(services.get("nginx")).as("nginx starts once the replicas are healthy").contains("      reporadar:\n        condition: service_healthy");
        assertThat(services.get("nginx")).contains("./nginx/nginx.conf:/etc/nginx/nginx.conf:ro")
                .contains("\"${LB_PORT:-80}:80\"").contains("\"${LB_HTTPS_PORT:-443}:443\"");
        assertThat(Files.readString(DOCKER.resolve("docker-compose.tls.yml"))).contains("./nginx/nginx-tls.conf:/etc/nginx/nginx.conf:ro")
                .contains(":/etc/nginx/certs:ro");
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
        int end = compose.indexOf("\nvolumes:\n");
        String body = compose.substring(compose.indexOf("\nservices:\n") + 11, end < 0 ? compose.length() : end);
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
