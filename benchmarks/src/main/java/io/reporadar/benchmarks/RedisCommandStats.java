package io.reporadar.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Redis's own account of a run: {@code INFO commandstats} after a {@code CONFIG RESETSTAT}, and the server's CPU time
 * ({@code INFO cpu}). Commands a script calls appear under their own names as well as inside the script's time.
 * Immutable.
 *
 * @param commands   every command called, most called first
 * @param cpuSeconds the server's user + system CPU time since it started
 */
record RedisCommandStats(List<Command> commands, double cpuSeconds) {

    private static final Pattern COMMAND = Pattern.compile("^cmdstat_([^:]+):calls=(\\d+),usec=(\\d+)", Pattern.MULTILINE);
    private static final Pattern CPU = Pattern.compile("^used_cpu_(?:sys|user):([\\d.]+)\\s*$", Pattern.MULTILINE);

    RedisCommandStats {
        commands = commands.stream().sorted(Comparator.comparingLong(Command::calls).reversed().thenComparing(Command::name)).toList();
    }

    /**
     * One command's calls and the time Redis spent in them.
     *
     * @param name  lower case, as in {@code cmdstat_<name>}
     * @param calls how many times it ran
     * @param usec  microseconds spent in it, in all
     */
    record Command(String name, long calls, long usec) {
    }

    /** Reads the replies of {@code INFO commandstats} and {@code INFO cpu}. */
    static RedisCommandStats parse(String commandstats, String cpu) {
        List<Command> commands = new ArrayList<>();
        Matcher command = COMMAND.matcher(commandstats);
        while (command.find()) {
            commands.add(new Command(command.group(1), Long.parseLong(command.group(2)), Long.parseLong(command.group(3))));
        }
        double cpuSeconds = 0;
        Matcher used = CPU.matcher(cpu);
        while (used.find()) {
            cpuSeconds += Double.parseDouble(used.group(1));
        }
        return new RedisCommandStats(commands, cpuSeconds);
    }

    /**
     * Each command's calls per request and microseconds per call, such as
     * {@code evalsha 1.00/req 5.4 us, get 1.00/req 0.9 us}, leaving out {@code info} and {@code config}, which the
     * benchmark sends itself.
     */
    String perRequest(long requests) {
        return commands.stream().filter(c -> !c.name().equals("info") && !c.name().startsWith("config"))
                .map(c -> String.format(Locale.ROOT, "%s %.2f/req %.1f us", c.name(), (double) c.calls() / requests,
                        (double) c.usec() / Math.max(1, c.calls())))
                .collect(Collectors.joining(", "));
    }
}
