package io.reporadar.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one {@code wrk --latency} run reports, read from its text output. Immutable.
 *
 * @param requests          requests completed
 * @param requestsPerSecond wrk's {@code Requests/sec}
 * @param p50Ms             median latency, milliseconds
 * @param p99Ms             99th percentile latency, milliseconds
 * @param non2xx            responses that were neither 2xx nor 3xx
 * @param socketErrors      connect, read, write and timeout errors together
 */
record WrkResult(long requests, double requestsPerSecond, double p50Ms, double p99Ms, long non2xx, long socketErrors) {

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    /**
     * Reads wrk's output.
     *
     * @throws IllegalArgumentException when a figure is missing (wrk failed, or ran without {@code --latency})
     */
    static WrkResult parse(String output) {
        long socketErrors = 0;
        Matcher errors = SOCKET_ERRORS.matcher(output);
        if (errors.find()) {
            for (int group = 1; group <= 4; group++) {
                socketErrors += Long.parseLong(errors.group(group));
            }
        }
        Matcher non2xx = NON_2XX.matcher(output);
        return new WrkResult(Long.parseLong(required(REQUESTS, output)), Double.parseDouble(required(RATE, output)),
                percentileMs(output, "50"), percentileMs(output, "99"), non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0,
                socketErrors);
    }

    /**
     * Runs wrk and reads its output.
     *
     * @param script  a Lua script for wrk's {@code -s}
     * @param url     what to load
     * @param threads wrk's {@code -t}
     * @param connections wrk's {@code -c}
     * @param seconds wrk's {@code -d}
     */
    static WrkResult run(Path script, String url, int threads, int connections, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "--latency", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--timeout", "10s", "-s", script.toString(), url));
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
        try {
            return parse(output);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("unexpected wrk output:\n" + output, e);
        }
    }

    /** The {@code percent}% line of wrk's latency distribution, such as {@code 99%   12.34ms}, in milliseconds. */
    private static double percentileMs(String output, String percent) {
        Matcher line = Pattern.compile("^\\s*" + percent + "%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$", Pattern.MULTILINE).matcher(output);
        if (!line.find()) {
            throw new IllegalArgumentException("no " + percent + "% latency in wrk's output");
        }
        double value = Double.parseDouble(line.group(1));
        return switch (line.group(2)) {
            case "us" -> value / 1_000;
            case "ms" -> value;
            case "s" -> value * 1_000;
            case "m" -> value * 60_000;
            default -> value * 3_600_000;
        };
    }

    private static String required(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalArgumentException("no match for " + pattern + " in wrk's output");
        }
        return matcher.group(1);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%,.0f req/s, p50 %.2f ms, p99 %.2f ms, %d requests, %d non-2xx, %d socket errors",
                requestsPerSecond, p50Ms, p99Ms, requests, non2xx, socketErrors);
    }
}
