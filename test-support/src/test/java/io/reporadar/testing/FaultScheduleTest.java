package io.reporadar.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

    @Test
    void theSameSeedGivesTheSameScheduleSoThatAFailingOneCanBeReplayed() {
        FaultSchedule first = FaultSchedule.generate(42, 6);
        FaultSchedule again = FaultSchedule.generate(42, 6);

        assertThat(again.faults()).isEqualTo(first.faults());
        assertThat(again.toString()).isEqualTo(first.toString()).startsWith("seed 42: after ");
        assertThat(FaultSchedule.generate(43, 6).faults()).isNotEqualTo(first.faults());
    }

    @Test
    void aboutHalfTheFaultsHitTheMasterAndEveryKindIsDrawn() {
        long onMaster = 0;
        Set<FaultSchedule.Kind> kinds = EnumSet.noneOf(FaultSchedule.Kind.class);
        for (long seed = 1; seed <= 100; seed++) {
            for (FaultSchedule.Fault fault : FaultSchedule.generate(seed, 4).faults()) {
                onMaster += fault.target() == FaultSchedule.Target.MASTER ? 1 : 0;
                kinds.add(fault.kind());
                assertThat(fault.duration().toMillis()).isBetween(1000L, 4000L);
            }
        }
        assertThat(onMaster).isBetween(160L, 240L);
        assertThat(kinds).containsExactlyInAnyOrder(FaultSchedule.Kind.values());
    }

    @Test
    void everyNodeAndInstanceIsATargetAndNoInstanceIsPartitioned() {
        Set<FaultSchedule.Target> targets = EnumSet.noneOf(FaultSchedule.Target.class);
        for (long seed = 1; seed <= 100; seed++) {
            for (FaultSchedule.Fault fault : FaultSchedule.generate(seed, 4).faults()) {
                targets.add(fault.target());
                if (fault.target().instance() >= 0) {
                    assertThat(fault.kind()).as("%s", fault).isNotEqualTo(FaultSchedule.Kind.PARTITION);
                }
            }
        }
        assertThat(targets).containsExactlyInAnyOrder(FaultSchedule.Target.values());
    }

    @Test
    void aScheduleHasAtLeastOneFault() {
        assertThatThrownBy(() -> FaultSchedule.generate(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count: 0 (expected: at least 1)");
    }
}
