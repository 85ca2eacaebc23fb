package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiPackageRuleTest {

    @SuppressWarnings("NullAway.Init") // JUnit sets it before each test
    @TempDir
    Path classes;

    @Test
    void passesWhenOnlyAdapterSubpackagesUseOptionalLibraries() throws IOException {
        write("io/reporadar/demo/Api.class", "java/lang/Object");
        write("io/reporadar/demo/micrometer/Metrics.class", "io/micrometer/core/instrument/Gauge");
        write("io/reporadar/demo/servlet/Filter.class", "jakarta/servlet/Filter");

        ApiPackageRule.assertApiFreeOfOptionalDependencies(classes, "io.reporadar.demo");
    }

    @Test
    void namesEveryApiClassThatReachesForAnOptionalLibrary() throws IOException {
        write("io/reporadar/demo/Api.class", "io/micrometer/core/instrument/Gauge");
        write("io/reporadar/demo/internal/Impl.class", "jakarta/servlet/http/HttpServletRequest");

        assertThatThrownBy(() -> ApiPackageRule.assertApiFreeOfOptionalDependencies(classes, "io.reporadar.demo"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Api.class refers to io.micrometer.")
                .hasMessageContaining("internal/Impl.class refers to jakarta.servlet.");
    }

    @Test
    void failsLoudlyWhenThereIsNothingToCheck() {
        assertThatThrownBy(() -> ApiPackageRule.assertApiFreeOfOptionalDependencies(classes, "io.reporadar.nothing"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no compiled classes at");
    }

    private void write(String path, String constant) throws IOException {
        Path file = classes.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, ("\u00ca\u00fe\u00ba\u00be" + constant).getBytes(StandardCharsets.ISO_8859_1));
    }
}
