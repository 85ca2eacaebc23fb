package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers must not outlive the JVM that started them, however that JVM ends. */
class ReaperIT {

    @SuppressWarnings("NullAway.Init") // JUnit sets it before each test
    @TempDir
    Path logs;

    @Test
    void serversStopWhenTheJvmExitsNormally() throws Exception {
        Process child = startChild("exit");
        try {
            Path dir = Path.of(readDirectory(child));
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Processes.runningIn(dir)).isEmpty();
            assertThat(dir).as("the server's directory is deleted at exit").doesNotExist();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void serversDieWhenTheJvmIsKilledWithSigkill() throws Exception {
        Process child = startChild("hang");
        try {
            Path dir = Path.of(readDirectory(child));
            assertThat(Processes.runningIn(dir)).as("the child's redis-server runs").isNotEmpty();

            child.destroyForcibly();

            Awaitility.await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(Processes.runningIn(dir)).isEmpty());
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(dir).doesNotExist());
        } finally {
            child.destroyForcibly();
        }
    }

    private Process startChild(String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
                "-D" + ServerSource.PROPERTY + "=" + System.getProperty(ServerSource.PROPERTY, ""),
                Child.class.getName(), mode);
        // Not inherited: a child holding the fork's stderr open would keep the test runner waiting.
        return new ProcessBuilder(command).redirectError(logs.resolve("child-" + mode + ".log").toFile()).start();
    }

    private static String readDirectory(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the child JVM printed its server's directory").isNotNull().startsWith("dir ");
        return line.substring(4);
    }

    /** A JVM that starts a private Redis server, says where, then exits or hangs. */
    public static final class Child {
        public static void main(String[] args) throws InterruptedException {
            RedisServer redis = RedisServer.start();
            System.out.println("dir " + redis.directory());
            System.out.flush();
            if ("hang".equals(args[0])) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
