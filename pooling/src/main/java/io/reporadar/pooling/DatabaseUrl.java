package io.reporadar.pooling;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * A {@code DATABASE_URL} in libpq's URI form, converted to what pgJDBC understands: a {@code jdbc:postgresql:}
 * URL that carries hosts and database only, and connection properties that carry everything else.
 *
 * <pre>{@code
 * DatabaseUrl url = DatabaseUrl.parse("postgresql://app:s3cr%40t@db1:5432,db2/reporadar?sslmode=require");
 * url.jdbcUrl();      // jdbc:postgresql://db1:5432,db2:5432/reporadar
 * url.properties();   // user=app, password=s3cr@t, sslmode=require
 * }</pre>
 *
 * <p>Accepted: {@code postgres://} and {@code postgresql://}; {@code user[:password]@}; one or several
 * {@code host[:port]}, IPv6 in brackets; RFC 3986 percent-encoding everywhere, where {@code +} stays a plus
 * (unlike pgJDBC's own decoder); the parameters {@code sslmode}, {@code ssl=true}, {@code sslrootcert},
 * {@code sslcert}, {@code sslkey}, {@code sslpassword}, {@code target_session_attrs},
 * {@code application_name}, {@code connect_timeout}, {@code load_balance_hosts}, {@code keepalives},
 * {@code options}, {@code user}, {@code password} and {@code dbname}. Anything else is rejected rather
 * than silently dropped, and so are Unix-domain socket hosts, which pgJDBC cannot reach.
 *
 * <p>The password goes to {@link #properties()} only: it is never part of {@link #jdbcUrl()}, of
 * {@link #toString()} or of an error message; errors give the position in the URL and the reason.
 * Immutable and thread-safe.
 */
public final class DatabaseUrl {

    /** The port libpq assumes when a host has none. */
    public static final int DEFAULT_PORT = 5432;

    private static final String VARIABLE = "DATABASE_URL";
    private static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final Map<String, String> TARGET_SESSION_ATTRS = Map.of(
            "any", "any",
            "read-write", "primary",
            "primary", "primary",
            "read-only", "secondary",
            "standby", "secondary",
            "prefer-standby", "preferSecondary");
    /** libpq parameter name to pgJDBC property name, for parameters whose values pass through. */
    private static final Map<String, String> PASS_THROUGH = Map.of(
            "sslrootcert", "sslrootcert",
            "sslcert", "sslcert",
            "sslkey", "sslkey",
            "sslpassword", "sslpassword",
            "application_name", "ApplicationName",
            "options", "options");
    private static final List<String> SUPPORTED = List.of("sslmode", "ssl", "sslrootcert", "sslcert", "sslkey",
            "sslpassword", "target_session_attrs", "application_name", "connect_timeout", "load_balance_hosts",
            "keepalives", "options", "user", "password", "dbname");

    private final List<HostPort> hosts;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> properties;
    private final Map<String, String> libpqParameters;

    private DatabaseUrl(List<HostPort> hosts, String database, String user, String password, Map<String, String> properties,
            Map<String, String> libpqParameters) {
        this.hosts = List.copyOf(hosts);
        this.database = database;
        this.user = user;
        this.password = password;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.libpqParameters = Collections.unmodifiableMap(new LinkedHashMap<>(libpqParameters));
    }

    /** One host of a possibly multi-host URL. */
    public static final class HostPort {
        private final String host;
        private final int port;

        HostPort(String host, int port) {
            this.host = host;
            this.port = port;
        }

        public String host() {
            return host;
        }

        public int port() {
            return port;
        }

        /** {@code host:port}, with an IPv6 address in brackets. */
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HostPort other && host.equals(other.host) && port == other.port;
        }

        @Override
        public int hashCode() {
            return host.hashCode() * 31 + port;
        }
    }

    /**
     * Parses a libpq URI.
     *
     * @throws IllegalArgumentException {@code "DATABASE_URL: <reason> at position <n>"}, never quoting the password
     */
    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(VARIABLE + ": missing (expected: postgresql://user:password@host:port/database)");
        }
        return new Parser(url.strip()).parse();
    }

    public List<HostPort> hosts() {
        return hosts;
    }

    public String database() {
        return database;
    }

    /** The user, or {@code null} when the URL names none (pgJDBC then uses the OS user). */
    public String user() {
        return user;
    }

    public boolean hasPassword() {
        return password != null;
    }

    /** The pgJDBC URL: hosts and database only, no credentials and no parameters. */
    public String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://");
        for (int i = 0; i < hosts.size(); i++) {
            url.append(i == 0 ? "" : ",").append(hosts.get(i));
        }
        return url.append('/').append(encodePath(database)).toString();
    }

    /** The connection properties for pgJDBC, credentials included: a fresh copy on each call. */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        if (user != null) {
            copy.setProperty("user", user);
        }
        if (password != null) {
            copy.setProperty("password", password);
        }
        return copy;
    }

    /** The pgJDBC properties other than user and password, for logs and diagnostics. */
    public Map<String, String> parameters() {
        return properties;
    }

    /** The URL in libpq form with the password masked: safe to log. */
    @Override
    public String toString() {
        StringBuilder url = new StringBuilder("postgresql://");
        if (user != null) {
            url.append(encodePath(user)).append(password != null ? ":****" : "").append('@');
        }
        for (int i = 0; i < hosts.size(); i++) {
            url.append(i == 0 ? "" : ",").append(hosts.get(i));
        }
        url.append('/').append(encodePath(database));
        String separator = "?";
        for (Map.Entry<String, String> p : libpqParameters.entrySet()) {
            String value = p.getKey().equals("sslpassword") ? "****" : encodePath(p.getValue());
            url.append(separator).append(p.getKey()).append('=').append(value);
            separator = "&";
        }
        return url.toString();
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters, so pgJDBC's decoder reads it back exactly. */
    private static String encodePath(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** A single-use recursive-descent parser that remembers positions for its error messages. */
    private static final class Parser {
        private final String url;
        private final List<HostPort> hosts = new ArrayList<>();
        private final Map<String, String> props = new LinkedHashMap<>();
        private final Map<String, String> libpq = new LinkedHashMap<>();
        private String user;
        private String password;
        private String database;

        Parser(String url) {
            this.url = url;
        }

        DatabaseUrl parse() {
            int schemeEnd = url.indexOf("://");
            String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
                throw error(1, schemeEnd < 0 ? "no scheme" : "scheme \"" + url.substring(0, schemeEnd) + "\"",
                        "postgresql:// or postgres://");
            }
            int authorityStart = schemeEnd + 3;
            int authorityEnd = indexOfAny(url, "/?", authorityStart);
            int strayAt = url.indexOf('@', authorityEnd);
            if (strayAt >= 0) {
                // An unencoded '/' or '?' in the password would otherwise make the rest of it a host or a
                // database name, and error messages quote those.
                throw error(authorityEnd + 1, "'" + url.charAt(authorityEnd) + "' before the '@' that ends the user and password",
                        "'/', '?' and '@' inside the user or password percent-encoded as %2F, %3F and %40");
            }
            int queryStart = url.indexOf('?', authorityStart);
            if (url.indexOf('#', authorityStart) >= 0) {
                throw error(url.indexOf('#', authorityStart) + 1, "a fragment ('#') is not part of a libpq URI",
                        "no '#'; percent-encode it as %23 inside a password");
            }
            parseAuthority(authorityStart, authorityEnd);
            if (authorityEnd < url.length() && url.charAt(authorityEnd) == '/') {
                int pathEnd = queryStart < 0 ? url.length() : queryStart;
                if (pathEnd > authorityEnd + 1) {
                    database = decode(authorityEnd + 1, pathEnd, "database name");
                }
            }
            if (queryStart >= 0) {
                parseQuery(queryStart + 1);
            }
            if (hosts.isEmpty()) {
                throw error(authorityStart + 1, "no host (a Unix-domain socket, which pgJDBC cannot use)", "host[:port]");
            }
            if (database == null || database.isEmpty()) {
                database = user != null ? user : null;
            }
            if (database == null) {
                throw error(url.length(), "no database name", "/database after the hosts");
            }
            return new DatabaseUrl(hosts, database, user, password, props, libpq);
        }

        private void parseAuthority(int start, int end) {
            int at = url.lastIndexOf('@', end - 1);
            int hostsStart = start;
            if (at >= start) {
                int colon = url.indexOf(':', start);
                if (colon >= 0 && colon < at) {
                    user = decode(start, colon, "user");
                    password = decode(colon + 1, at, "password");
                } else {
                    user = decode(start, at, "user");
                }
                if (user.isEmpty()) {
                    user = null;
                }
                hostsStart = at + 1;
            }
            if (hostsStart == end) {
                return;
            }
            int hostStart = hostsStart;
            while (hostStart <= end) {
                int hostEnd = hostEnd(hostStart, end);
                parseHost(hostStart, hostEnd);
                hostStart = hostEnd + 1;
            }
        }

        private int hostEnd(int start, int end) {
            int i = start;
            if (i < end && url.charAt(i) == '[') {
                int close = url.indexOf(']', i);
                if (close < 0 || close >= end) {
                    throw error(i + 1, "an IPv6 address without its closing ']'", "[address]:port");
                }
                i = close;
            }
            int comma = url.indexOf(',', i);
            return comma < 0 || comma > end ? end : comma;
        }

        private void parseHost(int start, int end) {
            if (start == end) {
                throw error(start + 1, "an empty host in the host list", "host[:port],host[:port]");
            }
            String host;
            int portStart;
            if (url.charAt(start) == '[') {
                int close = url.indexOf(']', start);
                host = url.substring(start + 1, close);
                if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.%]+")) {
                    throw error(start + 2, "\"" + host + "\" is not an IPv6 address", "[IPv6 address]");
                }
                portStart = close + 1;
                if (portStart < end && url.charAt(portStart) != ':') {
                    throw error(portStart + 1, "unexpected character after ']'", "':' and a port");
                }
            } else {
                int colon = url.indexOf(':', start);
                portStart = colon < 0 || colon > end ? end : colon;
                host = decode(start, portStart, "host");
                if (host.isEmpty()) {
                    throw error(start + 1, "an empty host name", "host[:port]");
                }
                if (host.startsWith("/")) {
                    throw error(start + 1, "a Unix-domain socket path, which pgJDBC cannot use", "a host name or address");
                }
                if (!host.matches("[A-Za-z0-9._-]+")) {
                    throw error(start + 1, "\"" + host + "\" is not a host name", "letters, digits, '.', '-' or '_'");
                }
            }
            int port = DEFAULT_PORT;
            if (portStart < end) {
                String digits = url.substring(portStart + 1, end);
                if (!digits.matches("[0-9]{1,5}") || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65_535) {
                    throw error(portStart + 2, "port \"" + digits + "\"", "1..65535");
                }
                port = Integer.parseInt(digits);
            }
            hosts.add(new HostPort(host.toLowerCase(Locale.ROOT), port));
        }

        private void parseQuery(int start) {
            int i = start;
            while (i < url.length()) {
                int end = url.indexOf('&', i);
                if (end < 0) {
                    end = url.length();
                }
                if (end > i) {
                    int eq = url.indexOf('=', i);
                    if (eq < 0 || eq > end) {
                        throw error(i + 1, "parameter \"" + url.substring(i, end) + "\" has no value", "name=value");
                    }
                    String name = decode(i, eq, "parameter name");
                    String value = decode(eq + 1, end, name.equals("password") ? "password" : "value of " + name);
                    apply(name, value, i + 1, eq + 2);
                }
                i = end + 1;
            }
        }

        private void apply(String name, String value, int namePosition, int valuePosition) {
            switch (name) {
                case "sslmode":
                    if (!SSL_MODES.contains(value)) {
                        throw error(valuePosition, "sslmode \"" + value + "\"", String.join(", ", SSL_MODES));
                    }
                    props.put("sslmode", value);
                    libpq.put("sslmode", value);
                    break;
                case "ssl":
                    // libpq's reading (require), not pgJDBC's (verify-full): the URL is a libpq URL.
                    if (!value.equals("true") && !value.equals("1")) {
                        throw error(valuePosition, "ssl \"" + value + "\"", "true (meaning sslmode=require), or use sslmode");
                    }
                    props.putIfAbsent("sslmode", "require");
                    libpq.putIfAbsent("sslmode", "require");
                    break;
                case "target_session_attrs":
                    String target = TARGET_SESSION_ATTRS.get(value);
                    if (target == null) {
                        throw error(valuePosition, "target_session_attrs \"" + value + "\"",
                                "any, read-write, primary, read-only, standby or prefer-standby");
                    }
                    props.put("targetServerType", target);
                    libpq.put(name, value);
                    break;
                case "connect_timeout":
                    if (!value.matches("[0-9]{1,6}")) {
                        throw error(valuePosition, "connect_timeout \"" + value + "\"", "whole seconds");
                    }
                    props.put("connectTimeout", Integer.toString(Integer.parseInt(value)));
                    libpq.put(name, value);
                    break;
                case "load_balance_hosts":
                    if (!value.equals("random") && !value.equals("disable")) {
                        throw error(valuePosition, "load_balance_hosts \"" + value + "\"", "random or disable");
                    }
                    props.put("loadBalanceHosts", Boolean.toString(value.equals("random")));
                    libpq.put(name, value);
                    break;
                case "keepalives":
                    if (!value.equals("0") && !value.equals("1")) {
                        throw error(valuePosition, "keepalives \"" + value + "\"", "0 or 1");
                    }
                    props.put("tcpKeepAlive", Boolean.toString(value.equals("1")));
                    libpq.put(name, value);
                    break;
                case "user":
                    user = value;
                    break;
                case "password":
                    password = value;
                    break;
                case "dbname":
                    database = value;
                    break;
                default:
                    String property = PASS_THROUGH.get(name);
                    if (property == null) {
                        throw error(namePosition, "unsupported parameter \"" + name + "\"", "one of " + String.join(", ", SUPPORTED));
                    }
                    props.put(property, value);
                    libpq.put(name, value);
            }
        }

        /** RFC 3986 percent-decoding as UTF-8; '+' is a plus. */
        private String decode(int start, int end, String what) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = start; i < end; i++) {
                char c = url.charAt(i);
                if (c == '%') {
                    int high = i + 1 < end ? Character.digit(url.charAt(i + 1), 16) : -1;
                    int low = i + 2 < end ? Character.digit(url.charAt(i + 2), 16) : -1;
                    if (high < 0 || low < 0) {
                        throw error(i + 1, "invalid percent-encoding in the " + what, "% followed by two hex digits");
                    }
                    bytes.write((high << 4) | low);
                    i += 2;
                } else {
                    byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                    if (Character.isHighSurrogate(c) && i + 1 < end) {
                        encoded = url.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                        i++;
                    }
                    bytes.writeBytes(encoded);
                }
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            } catch (CharacterCodingException e) {
                throw error(start + 1, "the " + what + " is not valid UTF-8 once decoded", "percent-encoded UTF-8");
            }
        }

        private IllegalArgumentException error(int position, String reason, String expected) {
            return new IllegalArgumentException(VARIABLE + ": " + reason + " at position " + position + " (expected: " + expected + ")");
        }

        private static int indexOfAny(String s, String chars, int from) {
            for (int i = from; i < s.length(); i++) {
                if (chars.indexOf(s.charAt(i)) >= 0) {
                    return i;
                }
            }
            return s.length();
        }
    }
}
