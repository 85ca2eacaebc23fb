package io.reporadar.health.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    private record Replica(String node, long lagMillis, double load) {
    }

    @Test
    void everyValueAHealthDetailMayHoldIsValidJson() throws Exception {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ratio", Double.NaN);
        details.put("rate", Double.POSITIVE_INFINITY);
        details.put("load", Float.NEGATIVE_INFINITY);
        details.put("share", 0.25);
        details.put("ports", new int[] {6379, 6380});
        details.put("names", new String[] {"a", "b\"c"});
        details.put("replica", new Replica("10.0.0.2:6379", 12, Double.NaN));
        details.put("replicas", List.of(new Replica("r1", 0, 0.5)));
        details.put("since", Instant.parse("2026-12-04T19:15:00.123456789Z"));

        String json = new Json().begin().field("details", details).end().toString();

        assertThat(json).isEqualTo("{\"details\":{\"ratio\":null,\"rate\":null,\"load\":null,\"share\":0.25,\"ports\":[6379,6380],"
                + "\"names\":[\"a\",\"b\\\"c\"],\"replica\":{\"node\":\"10.0.0.2:6379\",\"lagMillis\":12,\"load\":null},"
                + "\"replicas\":[{\"node\":\"r1\",\"lagMillis\":0,\"load\":0.5}],\"since\":\"2026-12-04T19:15:00.123Z\"}}");
        assertThat(new ObjectMapper().readTree(json).get("details").get("ports").size()).isEqualTo(2); // a strict parser accepts it
    }
}
