package io.reporadar.session;

import io.reporadar.testing.ApiPackageRule;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void theApiNeverTouchesMicrometerOrServlets() {
        ApiPackageRule.assertApiFreeOfOptionalDependencies("io.reporadar.session");
    }
}
