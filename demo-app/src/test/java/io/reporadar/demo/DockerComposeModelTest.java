package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compose files under both Compose versions' rules, as a user runs them (no Docker engine is needed):
 * <ul>
 *   <li>Compose v2: the compose-spec JSON schema that Docker Compose v2 validates with (compose-go's
 *       {@code schema/compose-spec.json}, vendored in {@code src/test/resources/compose-spec/} with its source),
 *       applied as compose-go applies it: each file interpolated with the env file, merged onto the ones before
 *       it, the result validated ({@code compose_model.py}).</li>
 *   <li>Compose v1: {@code docker-compose config} itself (Debian's docker-compose 1.29). The test fails when it
 *       is not installed: {@code .ci/run} installs it.</li>
 * </ul>
 * Both models must then say the same: the services (and which of them only the {@code monitoring} profile
 * starts), the instances' Redis (the master, or the Sentinels with {@code docker-compose.ha.yml}), their count
 * ({@code INSTANCE_COUNT}, which {@code deploy-multi-instance.sh --instances N} sets), and nginx on
 * {@code LB_PORT} and {@code LB_HTTPS_PORT}.
 */
class DockerComposeModelTest {

    private static final Path DOCKER = Path.of("..", "docker");
    private static final Path SPEC = Path.of("src", "test", "resources", "compose-spec").toAbsolutePath();
    private static final String BASE = "docker-compose.multi-instance.yml";
    private static final Set<String> STANDARD = Set.of("nginx", "reporadar", "postgres", "redis-master");
    private static final Set<String> HA_ONLY = Set.of("redis-replica-1", "redis-replica-2", "sentinel-1", "sentinel-2", "sentinel-3");
    /** Started only with {@code --profile monitoring}. */
    private static final Set<String> MONITORING = Set.of("prometheus", "nginx-exporter", "grafana");
    private static final String SENTINEL_URL =
            "redis-sentinel://:redis-secret-0123@sentinel-1:26379,sentinel-2:26379,sentinel-3:26379#reporadar-master";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dockerComposeV1 = Path.of("docker-compose");
    private static String python = "python3";

    @TempDir
    @SuppressWarnings("NullAway.Init") // JUnit sets it before each test
    Path work;

    @BeforeAll
    static void composeV1IsInstalled() throws IOException {
        Path found = onPath("docker-compose");
        if (found == null) {
            fail("docker-compose (Compose v1) is not installed: apt-get install docker-compose (Debian/Ubuntu), as .ci/run does;"
                    + " this test reads the compose files with it and with its Python's PyYAML and jsonschema");
            return;
        }
        dockerComposeV1 = found;
        // docker-compose 1.x is a Python program: its interpreter has PyYAML and jsonschema, its dependencies.
        String first = Files.readAllLines(found.toRealPath(), StandardCharsets.ISO_8859_1).stream().findFirst().orElse("");
        python = first.startsWith("#!") && first.contains("python") ? first.substring(2).strip() : "python3";
    }

    @ParameterizedTest(name = "overrides: [{0}]")
    @ValueSource(strings = {"", "ha", "tls", "ha,tls"})
    void bothComposeVersionsReadTheFilesAndAgreeOnWhatTheyStart(String overrides) throws Exception {
        Path env = project(Map.of());
        List<String> files = files(overrides);
        boolean ha = files.contains("docker-compose.ha.yml");
        boolean tls = files.contains("docker-compose.tls.yml");
        Map<String, JsonNode> models = Map.of("Compose v2 (compose-spec schema)", v2(env, files), "Compose v1 (docker-compose config)", v1(env, files));
        models.forEach((version, model) -> {
            JsonNode services = model.path("services");
            Set<String> expected = new HashSet<>(STANDARD);
            if (ha) {
                expected.addAll(HA_ONLY);
            }
            Set<String> profiled = new HashSet<>();
            services.properties().forEach(service -> {
                if (!service.getValue().path("profiles").isMissingNode()) {
                    assertThat(service.getValue().path("profiles").toString()).as(version + ": " + service.getKey()).isEqualTo("[\"monitoring\"]");
                    profiled.add(service.getKey());
                }
            });
            assertThat(profiled).as(version + ": the monitoring profile").containsExactlyInAnyOrderElementsOf(MONITORING);
            expected.addAll(MONITORING);
            assertThat(names(services)).as(version).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(services.path("prometheus").path("volumes").toString()).as(version).contains("monitoring/prometheus:/etc/prometheus:ro");
            assertThat(publishedPorts(services.path("prometheus"))).as(version + ": Prometheus on 127.0.0.1 only").isEqualTo(Map.of(9090, 9090));
            assertThat(services.path("prometheus").path("ports").toString()).as(version).contains("127.0.0.1");
            assertThat(services.path("grafana").path("ports").toString()).as(version + ": Grafana on 127.0.0.1 only").contains("127.0.0.1");
            JsonNode instances = services.path("reporadar");
            JsonNode environment = instances.path("environment");
            assertThat(environment.path("REDIS_URL").asText()).as(version + ": the instances follow the Sentinels with the ha file, else the master")
                    .isEqualTo(ha ? SENTINEL_URL : "redis://:redis-secret-0123@redis-master:6379");
            if (ha) {
                assertThat(environment.path("SESSION_DURABILITY").asText()).as(version).isEqualTo("replica-required");
                assertThat(environment.path("REDIS_SENTINEL_PASSWORD").asText()).as(version).isEqualTo("sentinel-secret-0123");
                assertThat(names(instances.path("depends_on"))).as(version + ": the instances start once the Sentinels answer")
                        .contains("sentinel-1", "sentinel-2", "sentinel-3", "postgres", "redis-master");
            }
            environment.properties().forEach(variable -> assertThat(variable.getValue().asText())
                    .as(version + ": reporadar " + variable.getKey() + " fully interpolated").doesNotContain("${"));
            assertThat(environment.has("INSTANCE_ID")).as(version + ": each replica is named by its host name, not one shared id").isFalse();
            assertThat(instances.has("container_name")).as(version + ": a container name would forbid a second replica").isFalse();
            assertThat(instances.path("scale").asInt()).as(version + ": INSTANCE_COUNT replicas, default 3").isEqualTo(3);
            assertThat(environment.path("INSTANCE_COUNT").asText()).as(version + ": each pool counts them").isEqualTo("3");
            assertThat(publishedPorts(services.path("nginx"))).as(version + ": nginx on LB_PORT and LB_HTTPS_PORT (defaults 80 and 443)")
                    .isEqualTo(Map.of(80, 80, 443, 443));
            assertThat(services.path("nginx").path("volumes").toString()).as(version)
                    .contains(tls ? "nginx-tls.conf:/etc/nginx/nginx.conf:ro" : "nginx/nginx.conf:/etc/nginx/nginx.conf:ro")
                    .doesNotContainPattern(tls ? "nginx/nginx\\.conf:/etc" : "/etc/nginx/certs");
        });
    }

    @Test
    void theFrontListensOnLbPortAndLbHttpsPort() throws Exception {
        Path env = project(Map.of("LB_PORT", "8081", "LB_HTTPS_PORT", "8443"));
        for (JsonNode model : List.of(v2(env, files("")), v1(env, files("")))) {
            assertThat(publishedPorts(model.path("services").path("nginx"))).isEqualTo(Map.of(8081, 80, 8443, 443));
        }
    }

    /**
     * What {@code deploy-multi-instance.sh --instances 5} relies on: the replica count and every pool's
     * {@code INSTANCE_COUNT} follow one variable, and the shell's value (which the script exports) wins over the
     * env file's (Compose v1 run here; compose-spec, which Compose v2 follows, defines the same precedence).
     */
    @Test
    void theInstanceCountScalesTheReplicasAndTheirPoolBudgetTogetherAndTheShellWinsOverTheEnvFile() throws Exception {
        Path five = project(Map.of("INSTANCE_COUNT", "5"));
        for (JsonNode model : List.of(v2(five, files("ha")), v1(five, files("ha")))) {
            JsonNode instances = model.path("services").path("reporadar");
            assertThat(instances.path("scale").asInt()).isEqualTo(5);
            assertThat(instances.path("environment").path("INSTANCE_COUNT").asText()).isEqualTo("5");
        }
        Path three = project(Map.of("INSTANCE_COUNT", "3"));
        Result config = composeV1(files(""), three, Map.of("INSTANCE_COUNT", "7"), "config");
        assertThat(config.exit()).as(config.stderr()).isZero();
        assertThat(config.stdout()).contains("scale: 7").contains("INSTANCE_COUNT: '7'").doesNotContain("INSTANCE_COUNT: '3'");
    }

    @Test
    void theHaFileRefusesToStartWithoutTheSentinelPasswordUnderBothVersions() throws Exception {
        Path env = project(Map.of("REDIS_SENTINEL_PASSWORD", ""));
        List<String> files = files("ha");
        Result v2 = python(List.of("model", SPEC.resolve("compose-spec.json").toString(), env.toString()), files, env);
        assertThat(v2.exit()).as(v2.stderr()).isNotZero();
        assertThat(v2.stderr()).contains("REDIS_SENTINEL_PASSWORD");
        Result v1 = composeV1(files, env, "config", "-q");
        assertThat(v1.exit()).as(v1.stderr()).isNotZero();
        assertThat(v1.stderr()).contains("REDIS_SENTINEL_PASSWORD");
        assertThat(composeV1(files("ha"), project(Map.of()), "config", "-q").exit()).as("with it, the same files pass").isZero();
    }

    /** The two checks are real: each refuses what its Compose version refuses. */
    @Test
    void eachCheckRefusesWhatItsComposeVersionRefuses() throws Exception {
        Path env = project(Map.of());
        Files.writeString(work.resolve("docker").resolve("named.yml"), "name: reporadar\nservices:\n  web:\n    image: nginx\n");
        Result v1 = composeV1(List.of("named.yml"), env, "config", "-q");
        assertThat(v1.exit()).isNotZero();
        assertThat(v1.stderr()).as("the error the original guide's docker-compose met").contains("'name' does not match any of the regexes: '^x-'");
        assertThat(v2(env, List.of("named.yml")).path("name").asText()).as("Compose v2 reads a top-level name").isEqualTo("reporadar");

        Files.writeString(work.resolve("docker").resolve("typo.yml"), "services:\n  web:\n    image: nginx\n    helthcheck:\n      test: [\"CMD\", \"true\"]\n");
        Result typo = python(List.of("model", SPEC.resolve("compose-spec.json").toString(), env.toString()), List.of("typo.yml"), env);
        assertThat(typo.exit()).isNotZero();
        assertThat(typo.stderr()).contains("services/web").contains("helthcheck");
        assertThat(composeV1(List.of("typo.yml"), env, "config", "-q").exit()).isNotZero();

        Files.writeString(work.resolve("docker").resolve("nested.yml"), """
                services:
                  web:
                    image: nginx
                    environment:
                      REDIS_URL: ${REDIS_URL:-redis://:${REDIS_PASSWORD}@redis-master:6379}
                """);
        Result nested = python(List.of("model", SPEC.resolve("compose-spec.json").toString(), env.toString()), List.of("nested.yml"), env);
        assertThat(nested.exit()).isNotZero();
        assertThat(nested.stderr()).contains("nested interpolation");
        assertThat(v1(env, List.of("nested.yml")).path("services").path("web").path("environment").path("REDIS_URL").asText())
                .as("what Compose v1 makes of a nested ${...}").isNotEqualTo("redis://:redis-secret-0123@redis-master:6379");
    }

    /** A copy of docker/ in the temporary folder, with the env example filled in (and {@code settings} over it). */
    private Path project(Map<String, String> settings) throws IOException {
        Path docker = work.resolve("docker");
        if (!Files.isDirectory(docker)) {
            copyTree(DOCKER, docker);
        }
        Map<String, String> values = new HashMap<>(Map.of("POSTGRES_PASSWORD", "postgres-secret-0123", "REDIS_PASSWORD", "redis-secret-0123",
                "REDIS_SENTINEL_PASSWORD", "sentinel-secret-0123", "SESSION_SECRET", "session-secret-0123456789abcdef0123456789abcdef",
                "SESSION_ENCRYPTION_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
        values.putAll(settings);
        StringBuilder filled = new StringBuilder();
        for (String line : Files.readAllLines(DOCKER.resolve(".env.multi-instance.example"))) {
            int equals = line.indexOf('=');
            String name = equals > 0 && !line.startsWith("#") ? line.substring(0, equals) : "";
            filled.append(values.containsKey(name) ? name + "=" + values.get(name) : line).append('\n');
        }
        Path env = docker.resolve(".env.multi-instance");
        Files.writeString(env, filled.toString());
        return env;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!path.getFileName().toString().equals(".env.multi-instance")) { // a developer's filled-in copy stays where it is
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static List<String> files(String overrides) {
        List<String> files = new ArrayList<>(List.of(BASE));
        for (String override : overrides.split(",", -1)) {
            if (!override.isEmpty()) {
                files.add("docker-compose." + override + ".yml");
            }
        }
        return files;
    }

    private JsonNode v2(Path env, List<String> files) throws Exception {
        Result model = python(List.of("model", SPEC.resolve("compose-spec.json").toString(), env.toString()), files, env);
        assertThat(model.exit()).as("Compose v2's rules: " + model.stderr()).isZero();
        return JSON.readTree(model.stdout());
    }

    private JsonNode v1(Path env, List<String> files) throws Exception {
        Result config = composeV1(files, env, "config");
        assertThat(config.exit()).as("docker-compose config: " + config.stderr()).isZero();
        Result json = run(List.of(python, SPEC.resolve("compose_model.py").toString(), "json"), config.stdout());
        assertThat(json.exit()).as(json.stderr()).isZero();
        return JSON.readTree(json.stdout());
    }

    private Result python(List<String> arguments, List<String> files, Path env) throws Exception {
        List<String> command = new ArrayList<>(List.of(python, SPEC.resolve("compose_model.py").toString()));
        command.addAll(arguments);
        files.forEach(file -> command.add(env.resolveSibling(file).toString()));
        return run(command, null);
    }

    private Result composeV1(List<String> files, Path env, String... arguments) throws Exception {
        return composeV1(files, env, Map.of(), arguments);
    }

    /** docker-compose with {@code shell} as variables of its own environment, as a script exports them. */
    private Result composeV1(List<String> files, Path env, Map<String, String> shell, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(dockerComposeV1.toString()));
        files.forEach(file -> command.addAll(List.of("-f", env.resolveSibling(file).toString())));
        command.addAll(List.of("--env-file", env.toString()));
        command.addAll(List.of(arguments));
        return run(command, null, shell);
    }

    private Result run(List<String> command, @Nullable String stdin) throws Exception {
        return run(command, stdin, Map.of());
    }

    /** Runs {@code command} with an environment of PATH, HOME and {@code shell} only: the rest comes from the env file. */
    private Result run(List<String> command, @Nullable String stdin, Map<String, String> shell) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        Map<String, String> environment = builder.environment();
        String path = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.clear();
        environment.put("PATH", path);
        environment.put("HOME", work.toString());
        environment.put("LANG", "C.UTF-8");
        environment.putAll(shell);
        Process process = builder.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try (var input = process.getOutputStream()) {
            if (stdin != null) {
                input.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + ": still running after 60 s");
        }
        return new Result(process.exitValue(), stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Result(int exit, String stdout, String stderr) {}

    private static Set<String> names(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.properties().forEach(property -> names.add(property.getKey()));
        return names;
    }

    /** Published port to container port, from the short ({@code "80:80"}, {@code "127.0.0.1:80:80/tcp"}) or the long syntax (v1's output). */
    private static Map<Integer, Integer> publishedPorts(JsonNode service) {
        Map<Integer, Integer> ports = new TreeMap<>();
        for (JsonNode port : service.path("ports")) {
            if (port.isTextual()) {
                String[] parts = port.asText().replaceFirst("/(tcp|udp)$", "").split(":", -1);
                ports.put(Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1]));
            } else {
                ports.put(port.path("published").asInt(), port.path("target").asInt());
            }
        }
        return ports;
    }

    private static @Nullable Path onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator, -1)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
