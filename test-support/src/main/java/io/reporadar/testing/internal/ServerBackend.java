package io.reporadar.testing.internal;

/**
 * What a fixture needs from the thing that runs a server: a local process or a container.
 *
 * <p>Implementations are thread-safe.
 */
public interface ServerBackend {

    /** Starts the server, or starts it again after {@link #stop()} or {@link #kill()}. */
    void start();

    /** Stops the server gracefully (SIGTERM), forcibly after a grace period. */
    void stop();

    /** Kills the server without warning (SIGKILL): no shutdown, no goodbye to clients. */
    void kill();

    /** Freezes the server (SIGSTOP): connections stay open but nothing answers. */
    void freeze();

    /** Resumes a frozen server (SIGCONT). */
    void thaw();

    boolean isAlive();

    /** The last lines the server logged, for failure messages. */
    String logTail(int lines);
}
