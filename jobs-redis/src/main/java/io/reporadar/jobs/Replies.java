package io.reporadar.jobs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads the scripts' replies ({@link Scripts}): numbers and text as Redis returns them, and a job's info fields as
 * a {@link JobInfo}. Stateless.
 */
final class Replies {

    private Replies() {
    }

    /** A {@link JobInfo} from a reply whose element {@code at} is Redis's time, followed by the info fields. */
    static JobInfo info(JobId id, List<Object> reply, int at) {
        return info(id, number(reply.get(at)), reply, at + 1);
    }

    /** A {@link JobInfo} from the info fields at {@code at}: type, state, attempts, max, progress, cancel, created, run, started, finished, error. */
    static JobInfo info(JobId id, long now, List<Object> reply, int at) {
        String stored = text(reply.get(at + 1));
        long runAt = number(reply.get(at + 7));
        JobInfo.State state = switch (stored) {
            case "queued" -> runAt <= now ? JobInfo.State.WAITING : JobInfo.State.DELAYED;
            case "active" -> JobInfo.State.ACTIVE;
            case "completed" -> JobInfo.State.COMPLETED;
            case "failed" -> JobInfo.State.FAILED;
            case "cancelled" -> JobInfo.State.CANCELLED;
            default -> throw new IllegalStateException("job " + id + " has the unknown state '" + stored + "'");
        };
        String error = text(reply.get(at + 10));
        return new JobInfo(id, text(reply.get(at)), state, (int) number(reply.get(at + 2)), (int) number(reply.get(at + 3)),
                (int) number(reply.get(at + 4)), text(reply.get(at + 5)).equals("1"), Instant.ofEpochMilli(number(reply.get(at + 6))),
                Instant.ofEpochMilli(runAt), optionalInstant(reply.get(at + 8)), optionalInstant(reply.get(at + 9)),
                error.isEmpty() ? null : error);
    }

    /** The jobs of a reply that is Redis's time followed, per job, by its id and its info fields. */
    static List<JobInfo> listed(List<Object> reply) {
        long now = number(reply.get(0));
        List<JobInfo> jobs = new ArrayList<>();
        for (int at = 1; at + Scripts.INFO_FIELD_COUNT < reply.size(); at += 1 + Scripts.INFO_FIELD_COUNT) {
            jobs.add(info(new JobId(text(reply.get(at))), now, reply, at + 1));
        }
        return jobs;
    }

    private static @Nullable Instant optionalInstant(@Nullable Object value) {
        long millis = optionalNumber(value);
        return millis < 0 ? null : Instant.ofEpochMilli(millis);
    }

    /** A number of a reply: an integer, or text (a score: "1700000000000", perhaps "1.7e+12"). */
    static long number(@Nullable Object value) {
        if (value instanceof Long number) {
            return number;
        }
        String text = text(value);
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notAnInteger) {
            return (long) Double.parseDouble(text);
        }
    }

    /** As {@link #number}, or -1 for an empty or missing value. */
    static long optionalNumber(@Nullable Object value) {
        return value == null || text(value).isEmpty() ? -1 : number(value);
    }

    static String text(@Nullable Object value) {
        if (value == null || value instanceof Boolean) {
            return "";
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return value.toString();
    }

    /** The bytes of a reply element; empty when it is not a bulk string. */
    static byte[] bytes(@Nullable Object value) {
        return value instanceof byte[] bytes ? bytes : new byte[0];
    }
}
