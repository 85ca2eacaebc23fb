package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Hosts of their own, and Jepsen's partition on a Sentinel topology built on them. */
class NetworkHostsIT {

    @Test
    void aCutStopsTrafficBetweenTwoHostsButNotFromThisJvmAndHealingRestoresIt() {
        try (NetworkHosts hosts = NetworkHosts.create(2)) {
            NetworkHosts.Host a = hosts.hosts().get(0);
            NetworkHosts.Host b = hosts.hosts().get(1);
            assertThat(a.address()).startsWith("198.1").isNotEqualTo(b.address());
            try (RedisServer master = RedisServer.startOn(a, List.of(), List.of(), false);
                 RedisServer replica = RedisServer.startOn(b, List.of("replicaof " + master.host() + " " + master.port(), "repl-timeout 2"),
                         List.of(), false)) {
                awaitLink(replica, "up");

                hosts.cut(a, b);
                assertThat(hosts.cuts()).containsExactly(a + " / " + b);
                master.call("SET", "during", "cut");
                awaitLink(replica, "down"); // repl-timeout 2 s: the replica hears nothing, nothing resets the link
                assertThat(master.call("PING")).as("this JVM still reaches both").isEqualTo("PONG");
                assertThat(replica.call("GET", "during")).isNull();

                hosts.healAll();
                assertThat(hosts.cuts()).isEmpty();
                awaitLink(replica, "up");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "cut".equals(replica.call("GET", "during")));
            }
        }
    }

    @Test
    void jepsensCaseTheIsolatedMasterKeepsAcceptingWritesThatItsDemotionThenDestroys() throws Exception {
        try (RedisSentinelTopology ha = RedisSentinelTopology.builder().downAfter(Duration.ofSeconds(1)).failoverTimeout(Duration.ofSeconds(3))
                .onHostsOfTheirOwn().start()) {
            RedisServer old = ha.master();
            assertThat(ha.sentinelUri()).doesNotContain("127.0.0.1");

            ha.isolate(old);
            RedisServer promoted = ha.awaitFailover(Duration.ofSeconds(30), old);
            assertThat(old.call("SET", "acknowledged-by-the-isolated-master", "1")).as("clients still reach it, and it still takes writes")
                    .isEqualTo("OK");
            assertThat(promoted.call("GET", "acknowledged-by-the-isolated-master")).isNull();

            ha.healPartitions();
            ha.awaitReplica(old, Duration.ofSeconds(30));
            assertThat(old.call("GET", "acknowledged-by-the-isolated-master")).as("lost when the old master rejoined as a replica").isNull();
            assertThat(ha.history()).contains(old.port() + " cut off from the other nodes and Sentinels", "partitions healed");
        }
    }

    @Test
    void aTopologyOnLoopbackRefusesPartitionsSayingWhy() {
        try (RedisSentinelTopology ha = RedisSentinelTopology.builder().replicas(1).start()) {
            assertThatThrownBy(() -> ha.isolate(ha.master())).isInstanceOf(IllegalStateException.class)
                    .hasMessageEndingWith("was not started on hosts of their own (Builder.onHostsOfTheirOwn()): no partitions");
        }
    }

    private static void awaitLink(RedisServer replica, String status) {
        Awaitility.await("replication link " + status).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> String.valueOf(replica.call("INFO", "replication")).contains("master_link_status:" + status));
    }
}
