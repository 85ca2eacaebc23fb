package io.reporadar.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MasterFenceTest {

    @Test
    void anOdownFencesTheMasterFollowedAndAClearLiftsIt() {
        MasterFence fence = new MasterFence();
        assertThat(fence.odown("10.0.0.2:6379", "10.0.0.1:6379")).as("another node than the master followed").isFalse();
        assertThat(fence.holds("10.0.0.1:6379")).isFalse();

        assertThat(fence.odown("10.0.0.1:6379", "10.0.0.1:6379")).isTrue();
        assertThat(fence.odown("10.0.0.1:6379", "10.0.0.1:6379")).as("already fenced").isFalse();
        assertThat(fence.holds("10.0.0.1:6379")).isTrue();
        assertThat(fence.holds("10.0.0.3:6379")).as("a master followed since").isFalse();

        assertThat(fence.clear("10.0.0.1:6379", fence.epoch())).isTrue();
        assertThat(fence.holds("10.0.0.1:6379")).isFalse();
    }

    @Test
    void anOdownThatArrivesWhileTheClearingCheckAsksTheSentinelsKeepsTheFence() {
        MasterFence fence = new MasterFence();
        fence.odown("10.0.0.1:6379", "10.0.0.1:6379");
        long epoch = fence.epoch();                       // the clearing check starts asking the Sentinels
        fence.odown("10.0.0.1:6379", "10.0.0.1:6379");    // a quorum holds it down again meanwhile
        assertThat(fence.clear("10.0.0.1:6379", epoch)).as("cleared on answers older than the last +odown").isFalse();
        assertThat(fence.holds("10.0.0.1:6379")).isTrue();
        assertThat(fence.clear("10.0.0.1:6379", fence.epoch())).isTrue();
    }
}
