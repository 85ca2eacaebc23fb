package io.reporadar.testing.internal;

import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A server run in a Docker container through Testcontainers, the last resort when neither an installed nor
 * an embedded binary is available. The host port is fixed so that a restarted server keeps its address;
 * freezing pauses the container (the cgroup freezer: like SIGSTOP, connections stay open and go silent).
 *
 * <p>Thread-safe: the state-changing methods are synchronized.
 */
public final class ContainerBackend implements ServerBackend {

    private final GenericContainer<?> container;
    private boolean created;

    public ContainerBackend(String image, int hostPort, int containerPort, Map<String, String> env, List<String> command) {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image));
        c.setPortBindings(List.of(hostPort + ":" + containerPort));
        c.addExposedPort(containerPort);
        env.forEach(c::addEnv);
        if (!command.isEmpty()) {
            c.setCommand(command.toArray(String[]::new));
        }
        this.container = c;
    }

    /** Whether a Docker engine answers; asked only after every other source was ruled out. */
    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    public synchronized void start() {
        if (!created) {
            container.start();
            created = true;
            Reaper.get().register(this);
        } else {
            DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
        }
    }

    @Override
    public synchronized void stop() {
        if (created && isAlive()) {
            DockerClientFactory.instance().client().stopContainerCmd(container.getContainerId()).withTimeout(10).exec();
        }
    }

    @Override
    public synchronized void kill() {
        DockerClientFactory.instance().client().killContainerCmd(container.getContainerId()).withSignal("KILL").exec();
    }

    @Override
    public synchronized void freeze() {
        DockerClientFactory.instance().client().pauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public synchronized void thaw() {
        DockerClientFactory.instance().client().unpauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public synchronized boolean isAlive() {
        if (!created) {
            return false;
        }
        Boolean running = DockerClientFactory.instance().client().inspectContainerCmd(container.getContainerId())
                .exec().getState().getRunning();
        return Boolean.TRUE.equals(running);
    }

    @Override
    public String logTail(int lines) {
        if (!created) {
            return "(container never started)";
        }
        String[] all = container.getLogs().split("\n");
        return String.join("\n", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

    @Override
    public String toString() {
        return "container " + container.getDockerImageName();
    }
}
