package io.reporadar.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Finds the live processes of a fixture, to prove the fixtures leave none behind. */
final class Processes {

    private Processes() {
    }

    /**
     * The pids of live processes working in {@code dir}: fixtures start every server there, and unlike a
     * command line (redis-server, nginx and postgres rewrite their titles) the working directory stays.
     */
    static List<Long> runningIn(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> dir.equals(workingDirectory(p.pid())))
                .map(ProcessHandle::pid)
                .collect(Collectors.toList());
    }

    /** The process's working directory; null when it cannot be read (gone, not ours, not Linux). */
    private static @Nullable Path workingDirectory(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** The forced source when a build runs the suite against one path, else any of the process sources. */
    static boolean expectedSource(ServerSource actual) {
        return ServerSource.forced().map(f -> f == actual)
                .orElse(actual == ServerSource.LOCAL_BINARY || actual == ServerSource.EMBEDDED || actual == ServerSource.DOCKER);
    }
}
