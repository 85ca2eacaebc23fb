package io.reporadar.pooling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SizingAdviceTest {

    @Test
    void suggestsThePeakPlusAQuarterAndFlagsAnOversizedPool() {
        int[] inUse = {1, 2, 3, 2, 4, 2, 1, 1};
        SizingAdvice advice = SizingAdvice.from(inUse, inUse.length, 20, 3, 4, 0);

        assertThat(advice.meanInUse()).isEqualTo(2.0);
        assertThat(advice.peakInUse()).isEqualTo(4);
        assertThat(advice.suggestedMax()).isEqualTo(5);
        assertThat(advice.ruleOfThumbPerInstance()).isEqualTo(2);
        assertThat(advice).hasToString("over 8 s: 2.0 connections in use on average, 4 at peak, of DB_POOL_MAX 20;"
                + " suggested DB_POOL_MAX 5 (peak + 25%); cores x 2 + spindles = 8 for the server, 2 per instance;"
                + " DB_POOL_MAX is more than twice what was used: the surplus only reserves server slots");
    }

    @Test
    void saysSoWhenNothingWasObserved() {
        assertThat(SizingAdvice.from(new int[0], 0, 10, 1, 0, 0)).hasToString("no usage observed yet");
    }
}
