package io.reporadar.lb;

import io.reporadar.lb.spi.StrategyConformance;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every built-in strategy keeps the contract the kit checks, allocation-free picks included. */
class StrategyConformanceTest {

    static Stream<Strategy> builtIn() {
        return Stream.of(Strategy.roundRobin(), Strategy.leastConnections(), Strategy.powerOfTwoChoices(), Strategy.peakEwma(),
                Strategy.random(), Strategy.ipHash(), Strategy.ipHashFullAddress(), Strategy.consistentHash(), Strategy.maglev(),
                Strategy.consistentHash().withBoundedLoad(1.25), Strategy.maglev().withBoundedLoad(1.25));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIn")
    void keepsTheContract(Strategy strategy) {
        StrategyConformance.of(strategy).allocationFree().verify();
    }
}
