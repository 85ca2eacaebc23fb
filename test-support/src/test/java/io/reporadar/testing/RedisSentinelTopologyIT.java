package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelTopologyIT {

    private static RedisSentinelTopology ha;

    @BeforeAll
    static void startTopology() {
        ha = RedisSentinelTopology.builder().downAfter(Duration.ofSeconds(1)).failoverTimeout(Duration.ofSeconds(5)).start();
    }

    @AfterAll
    static void stopTopology() {
        if (ha != null) {
            ha.close();
        }
    }

    @Test
    @Order(1)
    void startsAMasterTwoReplicasAndThreeSentinelsThatAgree() {
        assertThat(ha.sentinels()).hasSize(3);
        assertThat(ha.replicas()).hasSize(2);
        assertThat(ha.currentMaster()).isSameAs(ha.master());
        assertThat(ha.replicas()).allSatisfy(replica -> assertThat((List<?>) replica.call("ROLE")).first().isEqualTo("slave"));
        assertThat(ha.sentinelUri()).matches("redis-sentinel://127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+#reporadar-master");

        ha.master().call("SET", "replicated", "yes");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ha.replicas()).allSatisfy(replica -> assertThat(replica.call("GET", "replicated")).isEqualTo("yes")));
    }

    @Test
    @Order(2)
    void killingTheMasterPromotesAReplicaAndTheOtherFollowsIt() {
        RedisServer oldMaster = ha.master();
        oldMaster.kill();

        RedisServer promoted = ha.awaitFailover(Duration.ofSeconds(30));

        assertThat(promoted).isIn(ha.replicas());
        assertThat(promoted.call("GET", "replicated")).isEqualTo("yes");
        assertThat(promoted.call("SET", "after-failover", "1")).isEqualTo("OK");
        ha.awaitReplication(Duration.ofSeconds(30));
        RedisServer other = ha.replicas().stream().filter(replica -> replica != promoted).findFirst().orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(other.call("GET", "after-failover")).isEqualTo("1"));
    }

    @Test
    @Order(3)
    void theOldMasterReturnsAsAReplicaOfTheNewOne() {
        ha.master().restart();

        ha.awaitReplica(ha.master(), Duration.ofSeconds(30));

        assertThatThrownBy(() -> ha.master().call("SET", "k", "v")).hasMessageContaining("READONLY");
        RedisServer current = ha.currentMaster();
        assertThat(current).isIn(ha.replicas());
        assertThat(ha.history()).contains(ha.master().port() + " role:slave master_port:" + current.port());
    }

    @Test
    void rejectsAQuorumTheTopologyCannotReach() {
        assertThatThrownBy(() -> RedisSentinelTopology.builder().quorum(4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("quorum: 4 (expected: 1..3)");
        assertThatThrownBy(() -> RedisSentinelTopology.builder().replicas(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas: 0 (expected: 1..4)");
    }
}
