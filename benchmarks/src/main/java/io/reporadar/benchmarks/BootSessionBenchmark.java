package io.reporadar.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Issue 19: the same Spring Boot application ({@link SessionBenchApp}) with our starter and with Spring Session Data
 * Redis, each as two instances (separate JVMs) behind nginx on its own private Redis, loaded by {@code wrk} with
 * requests that load a session, change one attribute and save it. Both contenders run side by side and are measured
 * in alternation (the first to go changes every round), for one session shared by every request and for many. A third
 * row loads a route of the same application that touches no session, without a cookie (on our contender's instances):
 * the ceiling that no session repository can pass on this machine.
 *
 * <pre>
 * ./mvnw -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) io.reporadar.benchmarks.BootSessionBenchmark
 * </pre>
 *
 * System properties: {@code benchmarks.boot.sessions} (comma-separated, default {@code 1,100}), {@code .rounds} (3),
 * {@code .seconds} (20 per round), {@code .warmup} (10 s per contender and session count), {@code .threads} (2) and
 * {@code .connections} (32), wrk's.
 */
public final class BootSessionBenchmark {

    static final String OURS = "ours (reporadar-spring-boot-starter)";
    static final String SPRING = "Spring Session Data Redis";
    static final String CEILING = "no session (the same app, a route that does not touch the session, no cookie)";
    static final String SECRET = "a-benchmark-secret-of-at-least-32-characters";
    static final String ENCRYPTION_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private BootSessionBenchmark() {
    }

    /**
     * One contender's figures in one round.
     *
     * @param wrk             what wrk reported
     * @param instancesCpuUs  CPU time of both instances per request, microseconds
     * @param redisCpuUs      Redis's CPU time per request, microseconds
     * @param commands        Redis's commands per request ({@link RedisCommandStats#perRequest})
     * @param keysAdded       keys Redis gained during the round (sessions created instead of loaded, if not 0)
     */
    record Round(WrkResult wrk, double instancesCpuUs, double redisCpuUs, String commands, long keysAdded) {
    }

    /**
     * What wrk loads: a path of one contender's nginx, with a script of that contender's cookies.
     *
     * @param label     the row's name in the table
     * @param contender whose nginx
     * @param path      {@code /visit}, or {@code /no-session} for the ceiling
     * @param script    {@link #script}
     */
    record Target(String label, BootContender contender, String path, Path script) {
    }

    /** A figure of the table: its heading, how a round gives it, and whether it is a rate (printed without decimals). */
    private record Figure(String heading, ToDoubleFunction<Round> value, boolean whole) {
    }

    private static final List<Figure> FIGURES = List.of(
            new Figure("requests/s", r -> r.wrk().requestsPerSecond(), true),
            new Figure("p50 ms", r -> r.wrk().p50Ms(), false),
            new Figure("p99 ms", r -> r.wrk().p99Ms(), false),
            new Figure("instances' CPU µs/request", Round::instancesCpuUs, true),
            new Figure("Redis CPU µs/request", Round::redisCpuUs, false));

    public static void main(String[] args) throws Exception {
        List<Integer> sessionCounts = Arrays.stream(System.getProperty("benchmarks.boot.sessions", "1,100").split(","))
                .map(String::trim).map(Integer::valueOf).toList();
        int rounds = Integer.getInteger("benchmarks.boot.rounds", 3);
        int seconds = Integer.getInteger("benchmarks.boot.seconds", 20);
        int warmup = Integer.getInteger("benchmarks.boot.warmup", 10);
        int threads = Integer.getInteger("benchmarks.boot.threads", 2);
        int connections = Integer.getInteger("benchmarks.boot.connections", 32);
        String settings = String.format(Locale.ROOT, "wrk -t%d -c%d, %d rounds of %d s after %d s of warm-up", threads, connections,
                rounds, seconds, warmup);

        Map<String, Map<String, List<Round>>> results = new LinkedHashMap<>();
        try (BootContender ours = new BootContender(OURS, List.of("SESSION_SECRET=" + SECRET, "SESSION_ENCRYPTION_KEY=" + ENCRYPTION_KEY));
             BootContender spring = new BootContender(SPRING, List.of("reporadar.session.enabled=false"))) {
            System.out.println("started " + ours + " and " + spring + "; " + settings);
            for (int sessions : sessionCounts) {
                List<Target> targets = new ArrayList<>();
                for (BootContender contender : List.of(ours, spring)) {
                    targets.add(new Target(contender.name(), contender, "/visit", script(contender.login(sessions))));
                }
                // Without a cookie: with one, Spring MVC's FlashMapManager (getSession(false)) would load the session anyway.
                targets.add(new Target(CEILING, ours, "/no-session", script(List.of("no-session=1"))));
                Map<String, List<Round>> byTarget = new LinkedHashMap<>();
                for (Target target : targets) {
                    byTarget.put(target.label(), new ArrayList<>());
                    System.out.println(sessions + " sessions, warm-up, " + target.label() + ": " + measure(target, threads, connections, warmup).wrk());
                }
                for (int round = 0; round < rounds; round++) {
                    List<Target> order = new ArrayList<>(targets);
                    java.util.Collections.rotate(order, -round); // each goes first in turn, against the machine's drift
                    for (Target target : order) {
                        Round measured = measure(target, threads, connections, seconds);
                        Objects.requireNonNull(byTarget.get(target.label())).add(measured);
                        System.out.println(sessions + " sessions, round " + (round + 1) + ", " + target.label() + ": " + measured.wrk()
                                + String.format(Locale.ROOT, ", instances %.0f µs CPU/request, Redis %.1f µs CPU/request, keys added %d%n    Redis: %s",
                                        measured.instancesCpuUs(), measured.redisCpuUs(), measured.keysAdded(), measured.commands()));
                    }
                }
                results.put(sessions + (sessions == 1 ? " session" : " sessions"), byTarget);
            }
        }
        System.out.println();
        System.out.println("Java " + System.getProperty("java.version") + "; " + settings + "; median of the rounds (lowest-highest)");
        System.out.println();
        System.out.print(table(results));
    }

    /** One wrk run against {@code target}, with the CPU time and Redis statistics it took. */
    static Round measure(Target target, int threads, int connections, int seconds) throws Exception {
        BootContender contender = target.contender();
        contender.resetRedisStats();
        long keys = contender.keys();
        long cpu = contender.instancesCpuNanos();
        double redisCpu = contender.redisStats().cpuSeconds();
        WrkResult wrk = WrkResult.run(target.script(), contender.url(target.path()), threads, connections, seconds);
        long requests = Math.max(1, wrk.requests());
        double instancesCpuUs = (contender.instancesCpuNanos() - cpu) / 1_000.0 / requests;
        RedisCommandStats stats = contender.redisStats();
        return new Round(wrk, instancesCpuUs, (stats.cpuSeconds() - redisCpu) * 1e6 / requests, stats.perRequest(requests),
                contender.keys() - keys);
    }

    /**
     * A wrk script sending {@code POST} with one of {@code cookies} per request, in turn, each thread starting at its
     * own place in the list.
     */
    static Path script(List<String> cookies) throws java.io.IOException {
        String list = cookies.stream().map(c -> "  [[" + c + "]]").collect(Collectors.joining(",\n"));
        String lua = """
                local cookies = {
                %s
                }
                wrk.method = "POST"
                local threads = 0
                function setup(thread)
                  thread:set("offset", threads * 7919)
                  threads = threads + 1
                end
                local n = 0
                function init(args)
                  n = offset or 0
                end
                function request()
                  n = n + 1
                  return wrk.format(nil, nil, { ["Cookie"] = cookies[n %% #cookies + 1] })
                end
                """.formatted(list);
        Path file = Files.createTempFile("boot-session-bench", ".lua");
        file.toFile().deleteOnExit();
        Files.writeString(file, lua, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * A Markdown table: a row per session count and target, a column per figure, then the errors and the row's
     * requests per second as a multiple of Spring Session Data Redis's, taken round by round.
     */
    static String table(Map<String, Map<String, List<Round>>> results) {
        StringBuilder out = new StringBuilder("| sessions | contender |");
        FIGURES.forEach(f -> out.append(' ').append(f.heading()).append(" |"));
        out.append(" non-2xx / socket errors / keys added | ÷ Spring Session Data Redis, requests/s |\n|---|---|");
        out.append("---|".repeat(FIGURES.size() + 2)).append('\n');
        results.forEach((sessions, byTarget) -> {
            List<Round> spring = byTarget.getOrDefault(SPRING, List.of());
            byTarget.forEach((label, rounds) -> {
                out.append("| ").append(sessions).append(" | ").append(label).append(" |");
                for (Figure figure : FIGURES) {
                    out.append(' ').append(JobQueueBenchmark.cell(rounds.stream().mapToDouble(figure.value()).toArray(), figure.whole()))
                            .append(" |");
                }
                out.append(' ').append(rounds.stream().mapToLong(r -> r.wrk().non2xx()).sum()).append(" / ")
                        .append(rounds.stream().mapToLong(r -> r.wrk().socketErrors()).sum()).append(" / ")
                        .append(rounds.stream().mapToLong(Round::keysAdded).sum()).append(" |");
                out.append(' ').append(label.equals(SPRING) ? "" : JobQueueBenchmark.cell(ratios(rounds, spring), false)).append(" |\n");
            });
        });
        return out.toString();
    }

    private static double[] ratios(List<Round> of, List<Round> to) {
        double[] ratios = new double[Math.min(of.size(), to.size())];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = of.get(i).wrk().requestsPerSecond() / to.get(i).wrk().requestsPerSecond();
        }
        return ratios;
    }
}
