package io.reporadar.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * BullMQ in {@link JobQueueBenchmark}: each round runs {@code benchmarks/node/bullmq-bench.mjs} with the machine's
 * Node.js against the same Redis, and reads the figures it prints (one JSON line). Its version is the one
 * {@code benchmarks/node/package.json} pins; {@link #prepare} runs {@code npm install} there when
 * {@code node_modules} is missing.
 */
final class BullMqContender implements QueueContender {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ROUND_LIMIT_MINUTES = 10;

    private final Path dir;
    private String version = "";

    private BullMqContender(Path dir) {
        this.dir = dir;
    }

    /**
     * Checks that Node.js and npm run, and installs the pinned packages in {@code dir} unless they are there.
     *
     * @throws IllegalStateException naming what to install when {@code node} or {@code npm} is missing or fails
     */
    static BullMqContender prepare(Path dir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(dir.resolve("bullmq-bench.mjs"))) {
            throw new IllegalStateException(dir.toAbsolutePath() + ": no bullmq-bench.mjs (expected: the benchmarks/node folder of the"
                    + " repository; run from the repository's root or set -Dbenchmarks.node.dir)");
        }
        String node = output(dir, "node", "--version").trim();
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("bullmq"))) {
            System.out.println("BullMQ: npm install in " + dir + " (node " + node + ")");
            run(dir, List.of("npm", "install", "--no-audit", "--no-fund"));
        }
        return new BullMqContender(dir);
    }

    @Override
    public String name() {
        return version.isEmpty() ? "BullMQ" : "BullMQ " + version;
    }

    @Override
    public QueueRound round(String redisUri, JobQueueBenchmark.Settings settings, int round) throws Exception {
        String out = output(dir, "node", "bullmq-bench.mjs", redisUri, Integer.toString(settings.jobs()),
                Integer.toString(settings.concurrency()), Integer.toString(settings.producers()), Integer.toString(settings.latencySamples()),
                Integer.toString(settings.delayedJobs()), Integer.toString(round));
        String last = out.strip().lines().reduce("", (previous, line) -> line);
        JsonNode figures = JSON.readTree(last);
        version = figures.path("bullmq").asText() + " (Node.js " + figures.path("node").asText() + ")";
        return new QueueRound(figures.path("throughput").asDouble(Double.NaN), figures.path("bulk").asDouble(Double.NaN),
                samples(figures.path("latencyMs")), samples(figures.path("delayedLateMs")));
    }

    private static List<Double> samples(JsonNode array) {
        List<Double> samples = new ArrayList<>();
        array.forEach(sample -> samples.add(sample.asDouble()));
        return samples;
    }

    /** Runs {@code command} in {@code dir}, its errors to ours, and returns its output. */
    private static String output(Path dir, String... command) throws IOException, InterruptedException {
        Process process = start(dir, List.of(command), ProcessBuilder.Redirect.PIPE);
        String out;
        try (InputStream stdout = process.getInputStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        await(process, command);
        return out;
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        await(start(dir, command, ProcessBuilder.Redirect.INHERIT), command.toArray(new String[0]));
    }

    private static Process start(Path dir, List<String> command, ProcessBuilder.Redirect stdout) throws IOException {
        try {
            return new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(stdout).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(command.get(0) + ": cannot run it (" + e.getMessage() + "); the BullMQ comparison needs"
                    + " Node.js 18 or later and npm on the PATH: apt-get install nodejs npm", e);
        }
    }

    private static void await(Process process, String... command) throws InterruptedException {
        if (!process.waitFor(ROUND_LIMIT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + ": still running after " + ROUND_LIMIT_MINUTES + " minutes");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": exit code " + process.exitValue() + " (its errors are above)");
        }
    }
}
