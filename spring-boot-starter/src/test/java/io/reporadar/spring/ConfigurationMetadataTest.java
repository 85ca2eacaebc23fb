package io.reporadar.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** IDEs complete every property with a description, and offer the values of the enumerated ones. */
class ConfigurationMetadataTest {

    private static JsonNode metadata() throws IOException {
        try (InputStream in = ConfigurationMetadataTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            return new ObjectMapper().readTree(Objects.requireNonNull(in, "spring-configuration-metadata.json is not generated"));
        }
    }

    @Test
    void everyPropertyIsDescribedAndNamesItsVariable() throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonNode property : metadata().get("properties")) {
            String name = property.get("name").asText();
            names.add(name);
            assertThat(property.path("description").asText()).as(name).isNotBlank();
            if (!name.endsWith(".enabled") && !name.endsWith(".allowed-types") && !name.startsWith("reporadar.balancing.")) {
                assertThat(property.path("description").asText()).as(name + " names its variable").containsPattern("\\([A-Z_]+[;),]");
            }
        }
        assertThat(names).contains("reporadar.session.secret", "reporadar.session.encryption-key", "reporadar.session.redis-url",
                "reporadar.health.drain-delay", "reporadar.pooling.instances", "reporadar.pooling.database-url");
    }

    @Test
    void enumeratedPropertiesOfferTheirValues() throws IOException {
        List<String> hinted = new ArrayList<>();
        metadata().get("hints").forEach(hint -> hinted.add(hint.get("name").asText() + "=" + hint.get("values").size()));
        assertThat(hinted).contains("reporadar.session.durability=3", "reporadar.session.cookie-format=2", "reporadar.pooling.policy=2");
    }
}
