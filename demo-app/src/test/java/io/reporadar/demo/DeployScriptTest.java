package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/deploy-multi-instance.sh, run from a copy of the repository's layout against stand-ins for
 * {@code docker} and {@code docker-compose} that record what they are asked (no Docker engine is needed): which
 * Compose it picks, which files it hands over ({@code --ha}: the Sentinels file, which points the instances at
 * the Sentinels), what it refuses, how it waits for the health checks under Compose v1, which has no
 * {@code --wait}, and how {@code --instances N} scales the instances and then reloads nginx.
 */
class DeployScriptTest {

    private static final Path SCRIPT = Path.of("..", "scripts", "deploy-multi-instance.sh");

    @TempDir
    @SuppressWarnings("NullAway.Init") // JUnit sets it before each test
    Path work;

    private Path root;
    private Path log;
    private Path stubs;
    private Path tools;

    @BeforeEach
    void layout() throws IOException {
        root = work.resolve("repo");
        Files.createDirectories(root.resolve("scripts"));
        Files.createDirectories(root.resolve("docker"));
        Files.copy(SCRIPT, root.resolve("scripts").resolve("deploy-multi-instance.sh"));
        Files.writeString(root.resolve("docker").resolve(".env.multi-instance"), """
                POSTGRES_PASSWORD=p
                REDIS_PASSWORD=r
                REDIS_SENTINEL_PASSWORD=s
                SESSION_SECRET=x
                SESSION_ENCRYPTION_KEY=k
                LB_PORT=8088
                """);
        log = work.resolve("calls.log");
        stubs = Files.createDirectories(work.resolve("bin"));
        // The basic tools the script and the stand-ins use, and nothing else: a docker-compose installed on this
        // machine must not answer for the stand-ins.
        tools = Files.createDirectories(work.resolve("tools"));
        for (String tool : List.of("dirname", "grep", "cut", "tail", "sed", "sleep", "cat")) {
            Path real = Files.isExecutable(Path.of("/usr/bin", tool)) ? Path.of("/usr/bin", tool) : Path.of("/bin", tool);
            executable(tools.resolve(tool), "#!/bin/sh\nexec " + real + " \"$@\"\n");
        }
    }

    @Test
    void theScriptIsValidBashAndRefusesUnknownOptionsByName() throws Exception {
        Process syntax = new ProcessBuilder("bash", "-n", SCRIPT.toString()).redirectErrorStream(true).start();
        assertThat(syntax.waitFor()).as(new String(syntax.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        Result unknown = run("--hq");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown option --hq (expected: --ha, --tls, --instances N)");
        assertThat(Files.readString(Path.of("..", "scripts", "deploy-multi-instance.ps1"))).contains("[switch]$HA")
                .contains("docker/docker-compose.multi-instance.yml").contains("docker/docker-compose.ha.yml").contains("REDIS_SENTINEL_PASSWORD");
    }

    @Test
    void withComposeV2HaAddsTheSentinelsFileAndWaitsForTheHealthChecks() throws Exception {
        stub("docker", "[ \"$1 $2\" = 'compose version' ] && exit 0; exit 0");
        Result result = run("--ha");
        assertThat(result.exit()).as(result.output()).isZero();
        String docker = root.resolve("docker").toString();
        assertThat(calls()).contains("docker compose -f " + docker + "/docker-compose.multi-instance.yml -f " + docker
                + "/docker-compose.ha.yml --env-file " + docker + "/.env.multi-instance up -d --build --wait");
        assertThat(result.output()).contains("RepoRadar is up: http://localhost:8088 (health: http://localhost:8088/health)");
    }

    @Test
    void withComposeV1ItPollsEveryContainersHealthCheck() throws Exception {
        stub("docker", """
                [ "$1 $2" = 'compose version' ] && exit 1
                if [ "$1" = inspect ]; then
                  n=$(cat "$LOG.polls" 2>/dev/null || echo 0); echo $((n + 1)) > "$LOG.polls"
                  if [ "$n" -eq 0 ]; then echo '/reporadar-postgres-1 healthy'; echo '/reporadar-reporadar-1-1 starting'
                  else echo '/reporadar-postgres-1 healthy'; echo '/reporadar-reporadar-1-1 healthy'; fi
                fi
                exit 0""");
        stub("docker-compose", "case \"$*\" in *'ps -q') printf 'c1\\nc2\\n' ;; esac");
        Result result = run("--tls");
        assertThat(result.exit()).as(result.output()).isZero();
        String docker = root.resolve("docker").toString();
        String files = "-f " + docker + "/docker-compose.multi-instance.yml -f " + docker + "/docker-compose.tls.yml --env-file "
                + docker + "/.env.multi-instance";
        assertThat(calls()).contains("docker-compose " + files + " up -d --build", "docker-compose " + files + " ps -q")
                .filteredOn(call -> call.startsWith("docker inspect")).as("polled until every container is healthy").hasSize(2);
        assertThat(result.output()).contains("RepoRadar is up: https://localhost:443");
    }

    @Test
    void withComposeV1AContainerThatExitedFailsTheDeployNamingIt() throws Exception {
        stub("docker", """
                [ "$1 $2" = 'compose version' ] && exit 1
                [ "$1" = inspect ] && echo '/reporadar-reporadar-2-1 exited'
                exit 0""");
        stub("docker-compose", "case \"$*\" in *'ps -q') echo c1 ;; esac");
        Result result = run();
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("deploy-multi-instance: reporadar-reporadar-2-1 exited");
    }

    @Test
    void instancesScalesTheReplicasAndTheirPoolBudgetTogetherThenReloadsNginxOnceTheyAreHealthy() throws Exception {
        stub("docker", """
                [ "$1 $2" = 'compose version' ] && exit 0
                case "$*" in *' up '*) echo "INSTANCE_COUNT=${INSTANCE_COUNT:-unset}" >> "$LOG" ;; esac
                exit 0""");
        Result result = run("--ha", "--instances", "5");
        assertThat(result.exit()).as(result.output()).isZero();
        String docker = root.resolve("docker").toString();
        String compose = "docker compose -f " + docker + "/docker-compose.multi-instance.yml -f " + docker + "/docker-compose.ha.yml --env-file "
                + docker + "/.env.multi-instance";
        assertThat(calls()).containsSubsequence(compose + " up -d --build --scale reporadar=5 --no-recreate --wait",
                "INSTANCE_COUNT=5", compose + " exec -T nginx nginx -s reload");

        Files.delete(log);
        assertThat(run().exit()).isZero();
        assertThat(calls()).as("without --instances, the env file's INSTANCE_COUNT counts them, and nginx is reloaded all the same")
                .containsSubsequence(compose.replace(" -f " + docker + "/docker-compose.ha.yml", "") + " up -d --build --wait", "INSTANCE_COUNT=unset",
                        compose.replace(" -f " + docker + "/docker-compose.ha.yml", "") + " exec -T nginx nginx -s reload");

        for (String bad : List.of("0", "five", "1000")) {
            Result refused = run("--instances", bad);
            assertThat(refused.exit()).isEqualTo(2);
            assertThat(refused.output()).contains("--instances " + bad + " (expected: a number of instances, 1 to 999)");
        }
        assertThat(run("--instances").output()).contains("--instances  (expected: a number of instances, 1 to 999)");
    }

    @Test
    void scalingDownStopsOneReplicaAtATimeAndReloadsNginxAfterEach() throws Exception {
        stub("docker", """
                [ "$1 $2" = 'compose version' ] && exit 0
                case "$*" in *'ps -q reporadar') printf 'c1\\nc2\\nc3\\nc4\\nc5\\n' ;; esac
                exit 0""");
        Result result = run("--instances", "2");
        assertThat(result.exit()).as(result.output()).isZero();
        String docker = root.resolve("docker").toString();
        String compose = "docker compose -f " + docker + "/docker-compose.multi-instance.yml --env-file " + docker + "/.env.multi-instance";
        String reload = compose + " exec -T nginx nginx -s reload";
        assertThat(calls()).as("nginx never has more than one stopped replica in its list: it tries 3 a request")
                .containsSubsequence(compose + " ps -q reporadar", compose + " up -d --build --scale reporadar=4 --no-recreate --wait", reload,
                        compose + " up -d --build --scale reporadar=3 --no-recreate --wait", reload,
                        compose + " up -d --build --scale reporadar=2 --no-recreate --wait", reload)
                .filteredOn(call -> call.contains(" up ")).hasSize(3);
    }

    @Test
    void withComposeV1AReplicaThatRefusesToStartFailsTheScaleAndNginxIsNotReloaded() throws Exception {
        stub("docker", """
                [ "$1 $2" = 'compose version' ] && exit 1
                [ "$1" = inspect ] && echo '/reporadar-reporadar-1 healthy' && echo '/reporadar-reporadar-9 restarting'
                exit 0""");
        stub("docker-compose", "case \"$*\" in *'ps -q') printf 'c1\\nc9\\n' ;; esac");
        Result result = run("--instances", "9");
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output()).contains("deploy-multi-instance: reporadar-reporadar-9 restarting; see: docker-compose");
        assertThat(calls()).anyMatch(call -> call.endsWith(" up -d --build --scale reporadar=9 --no-recreate"))
                .as("the replica that refused gets no traffic").noneMatch(call -> call.contains("nginx -s reload"));
    }

    @Test
    void haRefusesAnEnvFileWithoutTheSentinelPasswordAndNoComposeMeansExit2() throws Exception {
        stub("docker", "exit 0");
        Path env = root.resolve("docker").resolve(".env.multi-instance");
        Files.writeString(env, Files.readString(env).replace("REDIS_SENTINEL_PASSWORD=s", "REDIS_SENTINEL_PASSWORD="));
        Result ha = run("--ha");
        assertThat(ha.exit()).isEqualTo(2);
        assertThat(ha.output()).contains("REDIS_SENTINEL_PASSWORD is empty in " + env);
        assertThat(calls()).noneMatch(call -> call.contains(" up "));
        assertThat(run().exit()).as("the standard topology does not need it").isZero();

        stub("docker", "exit 1"); // no compose plugin, and no docker-compose on this PATH
        Result none = run();
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.output()).contains("needs Docker Compose: the compose plugin (docker compose version) or docker-compose");
    }

    private void stub(String name, String body) throws IOException {
        executable(stubs.resolve(name), "#!/bin/sh\necho \"" + name + " $*\" >> \"$LOG\"\n" + body + "\n");
    }

    private static void executable(Path file, String script) throws IOException {
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> calls() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** Runs the copied script with only the stand-ins and the basic tools on the PATH. */
    private Result run(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("scripts").resolve("deploy-multi-instance.sh").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", stubs + ":" + tools);
        environment.put("LOG", log.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int exit, String output) {}
}
