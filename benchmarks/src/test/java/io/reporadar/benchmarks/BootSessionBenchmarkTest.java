package io.reporadar.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of {@link BootSessionBenchmark}: reading wrk's and Redis's reports, writing wrk's script. */
class BootSessionBenchmarkTest {

    static final String WRK = """
            Running 20s test @ http://127.0.0.1:40000/visit
              2 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    10.12ms    4.80ms 212.34ms   88.10%
                Req/Sec     1.60k   210.45     2.01k    71.25%
              Latency Distribution
                 50%    9.37ms
                 75%   11.80ms
                 90%   14.71ms
                 99%    1.02s
              63917 requests in 20.01s, 9.93MB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 5
            Requests/sec:   3194.27
            Transfer/sec:    508.22KB
            """;

    @Test
    void readsWrksFigures() {
        WrkResult result = WrkResult.parse(WRK);

        assertThat(result.requests()).isEqualTo(63917);
        assertThat(result.requestsPerSecond()).isEqualTo(3194.27);
        assertThat(result.p50Ms()).isEqualTo(9.37);
        assertThat(result.p99Ms()).isEqualTo(1020.0);
        assertThat(result.non2xx()).isEqualTo(5);
        assertThat(result.socketErrors()).isEqualTo(3);
    }

    @Test
    void aCleanRunHasNoErrorLinesAndLatenciesInMicroseconds() {
        String clean = WRK.replace("     50%    9.37ms", "     50%  812.00us").replaceAll("(?m)^.*(Socket errors|Non-2xx).*\\n", "");

        WrkResult result = WrkResult.parse(clean);

        assertThat(result.p50Ms()).isEqualTo(0.812);
        assertThat(result.non2xx()).isZero();
        assertThat(result.socketErrors()).isZero();
    }

    @Test
    void aRunWithoutTheLatencyDistributionIsRefused() {
        String noLatency = WRK.replaceAll("(?m)^\\s+\\d+%.*\\n", "");

        assertThatThrownBy(() -> WrkResult.parse(noLatency)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("50%");
    }

    @Test
    void readsRedisCommandStatsAndCpu() {
        String commandstats = """
                # Commandstats
                cmdstat_hgetall:calls=200,usec=460,usec_per_call=2.30,rejected_calls=0,failed_calls=0
                cmdstat_evalsha:calls=100,usec=1290,usec_per_call=12.90,rejected_calls=0,failed_calls=0
                cmdstat_info:calls=1,usec=30,usec_per_call=30.00,rejected_calls=0,failed_calls=0
                """.replace("\n", "\r\n");
        String cpu = """
                # CPU
                used_cpu_sys:1.500000
                used_cpu_user:2.250000
                used_cpu_sys_children:9.000000
                """.replace("\n", "\r\n");

        RedisCommandStats stats = RedisCommandStats.parse(commandstats, cpu);

        assertThat(stats.cpuSeconds()).isEqualTo(3.75);
        assertThat(stats.commands()).extracting(RedisCommandStats.Command::name).containsExactly("hgetall", "evalsha", "info");
        assertThat(stats.perRequest(100)).isEqualTo("hgetall 2.00/req 2.3 us, evalsha 1.00/req 12.9 us");
    }

    @Test
    void theScriptSendsEveryCookieInTurn() throws Exception {
        String lua = Files.readString(BootSessionBenchmark.script(List.of("SESSION=a.b-c%2F", "SESSION=d")));

        assertThat(lua).contains("[[SESSION=a.b-c%2F]]", "[[SESSION=d]]", "wrk.method = \"POST\"", "cookies[n % #cookies + 1]");
    }

    @Test
    void theTableGivesMediansAndEachRowAsAMultipleOfSpringRoundByRound() {
        Map<String, List<BootSessionBenchmark.Round>> byTarget = new LinkedHashMap<>();
        byTarget.put(BootSessionBenchmark.OURS, List.of(round(3000), round(1500)));
        byTarget.put(BootSessionBenchmark.SPRING, List.of(round(2000), round(1000)));

        String table = BootSessionBenchmark.table(Map.of("1 session", byTarget));

        assertThat(table).contains("| 1 session | " + BootSessionBenchmark.OURS + " | 2,250 (1,500-3,000) |")
                .contains("| 0 / 0 / 0 | 1.50 (1.50-1.50) |\n").contains("| 1 session | " + BootSessionBenchmark.SPRING + " | 1,500 (1,000-2,000) |");
    }

    static BootSessionBenchmark.Round round(double requestsPerSecond) {
        return new BootSessionBenchmark.Round(new WrkResult(1000, requestsPerSecond, 1, 2, 0, 0), 300, 40, "", 0);
    }
}
