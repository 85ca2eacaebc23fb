package io.reporadar.testing;

import io.reporadar.testing.internal.Os;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Hosts of their own on this machine, so that tests can cut the links between them: each host is a network
 * namespace with one address on a bridge that the test JVM's namespace sits on too.
 *
 * <pre>{@code
 * try (NetworkHosts hosts = NetworkHosts.create(3)) {
 *     NetworkHosts.Host a = hosts.hosts().get(0), b = hosts.hosts().get(1);
 *     // start servers with a.exec(command), bound to a.address() ...
 *     hosts.cut(a, b);    // a and b no longer hear each other; the test JVM still reaches both
 *     hosts.healAll();
 * }
 * }</pre>
 *
 * <p>A cut is a blackhole route in each of the two namespaces: what either sends to the other is dropped, so
 * open connections hang as in a real partition (no reset, no FIN) until a timeout or keepalive gives up, while a
 * new connection attempt between them fails at once. The JVM's own links are never cut, so clients (the
 * instances) keep reaching every host: Jepsen's case of a master cut off from its replicas and Sentinels but not
 * from its clients is {@code isolate(master, everyOtherHost)}. Addresses come from 198.18.0.0/15, the block
 * RFC 2544 reserves for such tests; traffic never leaves this machine.
 *
 * <p>Needs Linux, root (or {@code CAP_NET_ADMIN} and {@code CAP_SYS_ADMIN}) and iproute2's {@code ip}; fails
 * saying so otherwise. Namespaces and the bridge are removed on {@link #close()}, at JVM exit, and, when a JVM
 * died without either, by the next {@link #create}. Thread-safe.
 */
public final class NetworkHosts implements AutoCloseable {

    private static final String PREFIX = "reporadar-";
    /** iproute2's {@code ip}, looked up once ({@code /usr/sbin} is not on every PATH); empty when it is not installed. */
    private static final Optional<Path> IP_PATH = Os.which("ip", Path.of("/usr/sbin"), Path.of("/sbin"));
    private static final String IP = IP_PATH.map(Path::toString).orElse("ip");

    /** One host: a namespace and its address. */
    public record Host(String name, String namespace, String address) {

        /** {@code command} run inside this host's namespace ({@code ip netns exec}, which keeps the process id). */
        public List<String> exec(List<String> command) {
            List<String> inside = new ArrayList<>(List.of(IP, "netns", "exec", namespace));
            inside.addAll(command);
            return inside;
        }

        @Override
        public String toString() {
            return name + " (" + address + ")";
        }
    }

    private final String bridge;
    private final List<Host> hosts;
    private final Set<List<Host>> cuts = new LinkedHashSet<>(); // guarded by this
    private final Thread cleanup;
    private boolean closed; // guarded by this

    private NetworkHosts(String bridge, List<Host> hosts) {
        this.bridge = bridge;
        this.hosts = List.copyOf(hosts);
        this.cleanup = new Thread(this::remove, "reporadar-network-hosts-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Creates {@code count} hosts (at most 250).
     *
     * @throws IllegalStateException saying what is missing when namespaces cannot be made here
     */
    public static NetworkHosts create(int count) {
        if (count < 1 || count > 250) {
            throw new IllegalArgumentException("count: " + count + " (expected: 1..250)");
        }
        if (!Os.isPosix() || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            throw new IllegalStateException("network hosts need Linux network namespaces; this is " + System.getProperty("os.name"));
        }
        if (!Os.isRoot()) {
            throw new IllegalStateException("network hosts need root (ip netns, veth, a bridge): run the tests as root, or in a"
                    + " container or VM where you are");
        }
        if (IP_PATH.isEmpty()) {
            throw new IllegalStateException("network hosts need iproute2's ip: apt-get install iproute2");
        }
        removeLeftovers();
        long pid = ProcessHandle.current().pid();
        String base = freeSubnet((int) (pid % 512));
        String bridge = "rrbr" + pid;
        List<Host> hosts = new ArrayList<>();
        try {
            ip("link", "add", bridge, "type", "bridge");
            ip("addr", "add", base + "1/24", "dev", bridge);
            ip("link", "set", bridge, "up");
            for (int i = 0; i < count; i++) {
                String namespace = PREFIX + pid + "-" + i;
                String outside = "rrv" + pid + "x" + i;
                String inside = "rrp" + pid + "x" + i;
                Host host = new Host("host " + i, namespace, base + (i + 2));
                ip("netns", "add", namespace);
                hosts.add(host);
                ip("link", "add", outside, "type", "veth", "peer", "name", inside);
                ip("link", "set", inside, "netns", namespace);
                ip("link", "set", outside, "master", bridge);
                ip("link", "set", outside, "up");
                ip("-n", namespace, "addr", "add", host.address() + "/24", "dev", inside);
                ip("-n", namespace, "link", "set", inside, "up");
                ip("-n", namespace, "link", "set", "lo", "up");
            }
        } catch (RuntimeException e) {
            removeQuietly(bridge, hosts);
            throw new IllegalStateException("cannot make network hosts: " + e.getMessage(), e);
        }
        return new NetworkHosts(bridge, hosts);
    }

    public List<Host> hosts() {
        return hosts;
    }

    /** Cuts every link between {@code a} and {@code b}, both ways; the test JVM still reaches both. */
    public synchronized void cut(Host a, Host b) {
        if (a.equals(b) || !cuts.add(pair(a, b))) {
            return;
        }
        ip("-n", a.namespace(), "route", "add", "blackhole", b.address() + "/32");
        ip("-n", b.namespace(), "route", "add", "blackhole", a.address() + "/32");
    }

    /** Cuts {@code host} off from each of {@code others}. */
    public synchronized void isolate(Host host, Collection<Host> others) {
        others.forEach(other -> cut(host, other));
    }

    /** Restores every link cut. */
    public synchronized void healAll() {
        for (List<Host> pair : cuts) {
            ip("-n", pair.get(0).namespace(), "route", "del", "blackhole", pair.get(1).address() + "/32");
            ip("-n", pair.get(1).namespace(), "route", "del", "blackhole", pair.get(0).address() + "/32");
        }
        cuts.clear();
    }

    /** The links cut now, as "host 0 (198.18.1.2) / host 1 (198.18.1.3)". */
    public synchronized List<String> cuts() {
        return cuts.stream().map(pair -> pair.get(0) + " / " + pair.get(1)).toList();
    }

    @Override
    public void close() {
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException exiting) {
            // the JVM is exiting: the hook runs (or ran) remove(), which is idempotent
        }
    }

    private synchronized void remove() {
        if (!closed) {
            closed = true;
            removeQuietly(bridge, hosts);
        }
    }

    private static List<Host> pair(Host a, Host b) {
        return a.name().compareTo(b.name()) <= 0 ? List.of(a, b) : List.of(b, a);
    }

    /** Deletes the namespaces (their veth ends go with them) and the bridge. */
    private static void removeQuietly(String bridge, List<Host> hosts) {
        for (Host host : hosts) {
            quietly("netns", "del", host.namespace());
        }
        quietly("link", "del", bridge);
    }

    /** The first /24 of 198.18.0.0/15 from {@code first} on that no bridge of this machine uses, as "198.18.N.". */
    private static String freeSubnet(int first) {
        String addresses = Os.run(List.of(IP, "-o", "-4", "addr", "show"));
        for (int i = 0; i < 512; i++) {
            int subnet = (first + i) % 512;
            String base = "198." + (18 + subnet / 256) + "." + (subnet % 256) + ".";
            if (!addresses.contains(" " + base + "1/")) {
                return base;
            }
        }
        throw new IllegalStateException("network hosts: every /24 of 198.18.0.0/15 is in use on this machine");
    }

    /** Namespaces and bridges of JVMs that died without removing them. */
    private static void removeLeftovers() {
        for (String line : Os.run(List.of(IP, "netns", "list")).lines().toList()) {
            String namespace = line.split("\\s+", 2)[0]; // "reporadar-123-0 (id: 4)"
            if (namespace.startsWith(PREFIX) && namespace.indexOf('-', PREFIX.length()) > 0) {
                String owner = namespace.substring(PREFIX.length(), namespace.indexOf('-', PREFIX.length()));
                if (!alive(owner)) {
                    quietly("netns", "del", namespace);
                }
            }
        }
        for (String line : Os.run(List.of(IP, "-o", "link", "show", "type", "bridge")).lines().toList()) {
            String[] fields = line.split(":\\s+", 3); // "7: rrbr123: <BROADCAST,...> ..."
            if (fields.length > 1) {
                String link = fields[1].split("@", 2)[0]; // a name may end in "@<peer>"
                if (link.startsWith("rrbr") && !alive(link.substring(4))) {
                    quietly("link", "del", link);
                }
            }
        }
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException notOurs) {
            return true;
        }
    }

    private static void ip(String... arguments) {
        List<String> command = new ArrayList<>(List.of(IP));
        command.addAll(List.of(arguments));
        Os.run(command);
    }

    private static void quietly(String... arguments) {
        try {
            ip(arguments);
        } catch (RuntimeException gone) {
            // already removed
        }
    }
}
