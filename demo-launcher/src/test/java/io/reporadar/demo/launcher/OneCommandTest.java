package io.reporadar.demo.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The root README's one command to start the demo runs this module's {@link Topology}. */
class OneCommandTest {

    @Test
    void theReadmesCommandRunsTopologyThroughThisModulesExecMainClass() throws Exception {
        assertThat(Files.readString(Path.of("..", "README.md")))
                .contains("./mvnw -q install -DskipTests && ./mvnw -q -pl demo-launcher exec:java\n");
        assertThat(Files.readString(Path.of("pom.xml")))
                .contains("<exec.mainClass>" + Topology.class.getName() + "</exec.mainClass>");
        assertThat(Topology.class.getMethod("main", String[].class)).isNotNull();
    }
}
