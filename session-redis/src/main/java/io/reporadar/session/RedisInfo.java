package io.reporadar.session;

/**
 * Reads fields of an {@code INFO} reply ({@code name:value} lines, as {@code run_id:...} or
 * {@code master_repl_offset:...}). Stateless.
 */
final class RedisInfo {

    private RedisInfo() {
    }

    /** A field of an {@code INFO} reply as text, or "". */
    static String field(String info, String name) {
        return info.lines().filter(line -> line.startsWith(name + ":")).map(line -> line.substring(name.length() + 1).strip())
                .findFirst().orElse("");
    }

    /** A numeric field of an {@code INFO} reply, or -1. */
    static long number(String info, String name) {
        try {
            return Long.parseLong(field(info, name));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
