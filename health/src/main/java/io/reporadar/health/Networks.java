package io.reporadar.health;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A set of address blocks, for telling who a caller is: the networks that may see internal-only answers
 * (details, metrics), and the proxies trusted to name the client in {@code X-Forwarded-For}.
 *
 * <pre>{@code
 * Networks proxies = Networks.parse("TRUSTED_PROXIES", "127.0.0.1, 172.16.0.0/12");
 * InetAddress client = proxies.client(request.getRemoteAddr(), Collections.list(request.getHeaders("X-Forwarded-For")));
 * boolean internal = Networks.INTERNAL.contains(client);
 * }</pre>
 *
 * <p>Only address literals are read; no name is ever looked up. Immutable and thread-safe.
 */
public final class Networks {

    // First: the constants below are parsed with them.
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV4_WITH_PORT = Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3}):\\d{1,5}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** 127.0.0.0/8 and ::1: callers on this host. */
    public static final Networks LOOPBACK = parse("networks", "127.0.0.0/8, ::1");
    /**
     * 127.0.0.1, ::1 and the private ranges (10/8, 172.16/12, 192.168/16, fc00::/7): the addresses the rendered
     * nginx admits to its internal-only paths. Not 127.0.0.0/8 as a whole, as nginx's list.
     */
    public static final Networks INTERNAL = parse("networks", "127.0.0.1, ::1, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7");
    /** No address: with it as the trusted proxies, the connecting address is always the client. */
    public static final Networks NONE = new Networks(List.of());

    private final List<Block> blocks;

    private Networks(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Reads a comma-separated list of addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code ::1}); an empty
     * list is {@link #NONE}.
     *
     * @param variable what the list came from, for the error ({@code TRUSTED_PROXIES})
     * @throws IllegalArgumentException naming {@code variable} and the entry that is not an address or a block
     */
    public static Networks parse(String variable, String list) {
        List<Block> blocks = new ArrayList<>();
        for (String raw : list.split(",", -1)) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            InetAddress address = literal(slash < 0 ? entry : entry.substring(0, slash));
            int max = address == null ? 0 : address.getAddress().length * 8;
            int bits = max;
            if (slash >= 0 && address != null) {
                try {
                    bits = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
            }
            if (address == null || bits < 0 || bits > max) {
                throw new IllegalArgumentException(variable + ": \"" + entry + "\" is not an address or a CIDR block"
                        + " (expected: a comma-separated list such as 127.0.0.1, 10.0.0.0/8, ::1)");
            }
            blocks.add(new Block(address.getAddress(), bits));
        }
        return new Networks(blocks);
    }

    /** Whether {@code address} is in one of the blocks; false for {@code null} (an unknown caller). */
    public boolean contains(@Nullable InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] bytes = address.getAddress();
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client of a request that arrived from {@code remoteAddress} with these {@code X-Forwarded-For} header
     * values, these networks being the proxies trusted to name it: the connecting address if it is not a trusted
     * proxy, else the rightmost forwarded address that is not one (entries to its left were written by the
     * client itself, and prove nothing). {@code null} when an address that would decide is not an address
     * literal (an empty entry included): such a caller is nobody in particular.
     */
    public @Nullable InetAddress client(String remoteAddress, List<String> forwardedFor) {
        InetAddress client = literal(remoteAddress);
        if (!contains(client)) {
            return client;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            hops.addAll(Arrays.asList(header.split(",", -1))); // empty entries kept: they are not addresses
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            client = literal(hops.get(i));
            if (!contains(client)) {
                return client;
            }
        }
        return client;
    }

    /** An address literal as an address (no name lookup), brackets and an IPv4 port allowed; otherwise null. */
    static @Nullable InetAddress literal(@Nullable String text) {
        if (text == null) {
            return null;
        }
        String candidate = text.strip();
        if (candidate.startsWith("[") && candidate.endsWith("]")) {
            candidate = candidate.substring(1, candidate.length() - 1);
        }
        var withPort = IPV4_WITH_PORT.matcher(candidate);
        if (withPort.matches()) {
            candidate = withPort.group(1);
        }
        try {
            if (IPV4.matcher(candidate).matches()) {
                byte[] octets = new byte[4];
                String[] parts = candidate.split("\\.", -1); // four, as IPV4 matched
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(parts[i]);
                    if (octet > 255) {
                        return null; // not an address: getByName would look it up as a name
                    }
                    octets[i] = (byte) octet;
                }
                return InetAddress.getByAddress(octets);
            }
            // With a ':' it can only be an IPv6 literal: parsed, never looked up.
            return IPV6.matcher(candidate).matches() ? InetAddress.getByName(candidate) : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return blocks.stream().map(Block::toString).collect(Collectors.joining(", ", "Networks[", "]"));
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Networks other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** {@code bits} leading bits of {@code prefix}; IPv4 blocks hold IPv4 addresses only, IPv6 ones IPv6 only. */
    private static final class Block {
        private final byte[] prefix;
        private final int bits;

        Block(byte[] prefix, int bits) {
            this.prefix = prefix;
            this.bits = bits;
        }

        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[whole] & mask) == (prefix[whole] & mask);
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(prefix).getHostAddress() + "/" + bits;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
