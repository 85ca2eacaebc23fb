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
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A {@code DATABASE_URL} in libpq's URI form, converted to what pgJDBC understands: a {@code jdbc:postgresql:}
 * URL that carries hosts and database only, and connection properties that carry everything else.
 *
 * <pre>{@code
 * DatabaseUrl url = DatabaseUrl.parse("postgresql://app:s3cr%40t@db1:5432,db2/reporadar?sslmode=require");
 * url.jdbcUrl();                // jdbc:postgresql://db1:5432,db2:5432/reporadar
 * url.propertiesWithSecrets();  // user=app, password=s3cr@t, sslmode=require (for the driver only)
 * url.toString();               // postgresql://app:****@db1:5432,db2:5432/reporadar?sslmode=require
 * }</pre>
 *
 * <p>Accepted: {@code postgres://} and {@code postgresql://}; {@code user[:password]@}; one or several
 * {@code host[:port]}, IPv6 in brackets; RFC 3986 percent-encoding everywhere, where {@code +} stays a plus
 * (unlike pgJDBC's own decoder); the parameters {@code sslmode}, {@code ssl=true}, {@code sslrootcert},
 * {@code sslcert}, {@code sslkey}, {@code sslpassword}, {@code sslnegotiation}, {@code channel_binding},
 * {@code gssencmode}, {@code target_session_attrs}, {@code application_name}, {@code connect_timeout},
 * {@code load_balance_hosts}, {@code keepalives}, {@code options}, {@code user}, {@code password} and
 * {@code dbname}, each passed to pgJDBC's property of the same meaning. Anything else is rejected by name
 * rather than silently dropped ({@code service} and {@code passfile} with what to do instead), and so are
 * Unix-domain socket hosts, which pgJDBC cannot reach.
 *
 * <p>Secrets (the password, and any parameter whose name contains {@code password}, such as
 * {@code sslpassword}) are in clear in {@link #propertiesWithSecrets()} only, which is for the driver. They are
 * never part of {@link #jdbcUrl()}; {@link #parameters()}, {@link #toString()} and the {@code toString()} of
 * {@link #propertiesWithSecrets()} show them as {@code ****}. Error messages give the position in the URL and
 * the reason, and name the part that is wrong ({@code the port}, {@code the host name}, ...) without quoting
 * any text of the user, password, hosts or ports, nor the value of a secret parameter.
 * Immutable and thread-safe.
 */
public final class DatabaseUrl {

    /** The port libpq assumes when a host has none. */
    public static final int DEFAULT_PORT = 5432;

    /** What {@link #parameters()} and {@link #toString()} show instead of a secret. */
    public static final String MASK = "****";

    private static final String VARIABLE = "DATABASE_URL";
    /** A scheme as RFC 3986 spells it (so no ':', '@' or '/': never a user or password), or {@code jdbc:} and one. */
    private static final Pattern QUOTABLE_SCHEME =
            Pattern.compile("(?i)(jdbc:)?[a-z][a-z0-9+.-]{0,31}");
    /** A parameter name plain enough to quote in an error message. */
    private static final Pattern QUOTABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
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
            "sslpassword", "sslnegotiation", "channel_binding", "gssencmode", "target_session_attrs", "application_name",
            "connect_timeout", "load_balance_hosts", "keepalives", "options", "user", "password", "dbname");
    /** libpq parameters that providers' URLs carry and pgJDBC has no per-connection equivalent of, and what to do instead. */
    private static final Map<String, String> REFUSED = Map.of(
            "service", "a pg_service.conf entry, which this URL does not look up: give its hosts, port and dbname in the URL",
            "passfile", "a password file, which pgJDBC reads only from PGPASSFILE (or ~/.pgpass): set that, or put the password in the URL");
    /** Parameters whose values are a fixed set: libpq name, pgJDBC property, values. */
    private static final Map<String, Map.Entry<String, List<String>>> ENUMERATED = Map.of(
            "channel_binding", Map.entry("channelBinding", List.of("disable", "prefer", "require")),
            "gssencmode", Map.entry("gssEncMode", List.of("disable", "allow", "prefer", "require")),
            "sslnegotiation", Map.entry("sslNegotiation", List.of("postgres", "direct")));

    private final List<HostPort> hosts;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> properties;
    private final Map<String, String> maskedProperties;
    private final Map<String, String> libpqParameters;

    private DatabaseUrl(List<HostPort> hosts, String database, String user, String password, Map<String, String> properties,
            Map<String, String> libpqParameters) {
        this.hosts = List.copyOf(hosts);
        this.database = database;
        this.user = user;
        this.password = password;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        Map<String, String> masked = new LinkedHashMap<>();
        properties.forEach((name, value) -> masked.put(name, isSecret(name) ? MASK : value));
        this.maskedProperties = Collections.unmodifiableMap(masked);
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
     * @throws IllegalArgumentException {@code "DATABASE_URL: <reason> at position <n> (expected: <what>)"}, naming the
     *         part that is wrong but never quoting the user, password, hosts or ports, nor a secret parameter's value
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

    /** Whether the URL gives a password (in the user info or as the {@code password} parameter). */
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

    /**
     * The connection properties for pgJDBC with every secret in clear: {@code user}, {@code password},
     * {@code sslpassword} and the other parameters, a fresh copy on each call. For the driver only
     * ({@code DriverManager.getConnection}, HikariCP's username, password and data source properties): never log
     * its entries. Its own {@code toString()} masks the secrets, in case it is logged by mistake.
     */
    public Properties propertiesWithSecrets() {
        Properties copy = new MaskedProperties();
        copy.putAll(properties);
        if (user != null) {
            copy.setProperty("user", user);
        }
        if (password != null) {
            copy.setProperty("password", password);
        }
        return copy;
    }

    /**
     * The pgJDBC properties other than user and password, with the value of every secret one (such as
     * {@code sslpassword}) replaced by {@value #MASK}: for logs and diagnostics, not for connecting (use
     * {@link #propertiesWithSecrets()}).
     */
    public Map<String, String> parameters() {
        return maskedProperties;
    }

    /**
     * Whether the value of the parameter or property {@code name} is a secret to mask: {@code password},
     * {@code sslpassword} and any other name containing {@code password}, whatever the case.
     */
    private static boolean isSecret(String name) {
        return name.toLowerCase(Locale.ROOT).contains("password");
    }

    /** The URL in libpq form with the password and every secret parameter masked as {@value #MASK}: safe to log. */
    @Override
    public String toString() {
        StringBuilder url = new StringBuilder("postgresql://");
        if (user != null || password != null) {
            url.append(user != null ? encodePath(user) : "").append(password != null ? ":" + MASK : "").append('@');
        }
        for (int i = 0; i < hosts.size(); i++) {
            url.append(i == 0 ? "" : ",").append(hosts.get(i));
        }
        url.append('/').append(encodePath(database));
        String separator = "?";
        for (Map.Entry<String, String> p : libpqParameters.entrySet()) {
            String value = isSecret(p.getKey()) ? MASK : encodePath(p.getValue());
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

    /** {@link Properties} whose {@code toString()} masks the secrets; everything else is as usual. */
    private static final class MaskedProperties extends Properties {
        @Override
        public synchronized String toString() {
            StringBuilder out = new StringBuilder("{");
            for (String name : new TreeSet<>(stringPropertyNames())) {
                out.append(out.length() == 1 ? "" : ", ").append(name).append('=')
                        .append(isSecret(name) ? MASK : getProperty(name));
            }
            return out.append('}').toString();
        }
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
        /** The secret parameter just read (password, sslpassword), while the next one could be the rest of its value. */
        private String previousSecret;

        Parser(String url) {
            this.url = url;
        }

        DatabaseUrl parse() {
            int schemeEnd = url.indexOf("://");
            String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
                // Without "://" where it belongs, the text before a later "://" can be a user and password.
                String found = schemeEnd < 0 ? "no scheme"
                        : QUOTABLE_SCHEME.matcher(url.substring(0, schemeEnd)).matches() ? "scheme \"" + url.substring(0, schemeEnd) + "\""
                        : "no valid scheme before the first '://'";
                throw error(1, found, "postgresql:// or postgres://");
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
            boolean userInfo = at >= start;
            int hostStart = hostsStart;
            while (hostStart <= end) {
                int hostEnd = hostEnd(hostStart, end);
                parseHost(hostStart, hostEnd, userInfo);
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

        /**
         * One {@code host[:port]}. Its text is never quoted: without an '@', {@code user:password} reads as a host
         * and a port.
         */
        private void parseHost(int start, int end, boolean userInfo) {
            if (start == end) {
                throw error(start + 1, "an empty host in the host list", "host[:port],host[:port]");
            }
            String host;
            int portStart;
            if (url.charAt(start) == '[') {
                int close = url.indexOf(']', start);
                host = url.substring(start + 1, close);
                if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.%]+")) {
                    throw error(start + 2, "the host in brackets is not an IPv6 address", "[IPv6 address]");
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
                    throw error(start + 1, "the host name is not valid", "letters, digits, '.', '-' or '_'");
                }
            }
            int port = DEFAULT_PORT;
            if (portStart < end) {
                String digits = url.substring(portStart + 1, end);
                if (digits.isEmpty()) {
                    throw error(portStart + 2, "the port is empty", "1..65535 after the ':', or no ':'");
                }
                if (!digits.matches("[0-9]+")) {
                    throw error(portStart + 2, "the port is not a number", userInfo ? "1..65535"
                            : "1..65535; a password goes before the host, as in user:password@host");
                }
                if (digits.length() > 5 || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65_535) {
                    throw error(portStart + 2, "the port is out of range", "1..65535");
                }
                port = Integer.parseInt(digits);
            }
            hosts.add(new HostPort(host.toLowerCase(Locale.ROOT), port));
        }

        /**
         * The parameters. Names are quoted in messages only when they are plain names, values only when they cannot
         * be secret: a '&' left unencoded in a password or sslpassword makes the rest of it read as the next
         * parameter, so that one is described, not quoted.
         */
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
                        String text = url.substring(i, end);
                        if (previousSecret == null && SUPPORTED.contains(text)) {
                            throw error(i + 1, "parameter \"" + text + "\" has no value", "name=value");
                        }
                        throw error(i + 1, "a parameter without '='" + afterSecret(), "name=value" + encodeAmpersandHint());
                    }
                    String name = decode(i, eq, "parameter name");
                    if (REFUSED.containsKey(name)) {
                        throw error(i + 1, "parameter \"" + name + "\" is not supported", REFUSED.get(name));
                    }
                    if (!SUPPORTED.contains(name)) {
                        String which = previousSecret == null && QUOTABLE_NAME.matcher(name).matches()
                                ? "unsupported parameter \"" + name + "\"" : "an unsupported parameter" + afterSecret();
                        throw error(i + 1, which, "one of " + String.join(", ", SUPPORTED) + encodeAmpersandHint());
                    }
                    String value = decode(eq + 1, end, name.equals("password") ? "password" : "value of " + name);
                    apply(name, value, eq + 2);
                    previousSecret = isSecret(name) ? name : null;
                }
                i = end + 1;
            }
        }

        /** {@code " right after the sslpassword"} when the parameter being read may be the rest of a secret. */
        private String afterSecret() {
            return previousSecret == null ? "" : " right after the " + previousSecret;
        }

        private String encodeAmpersandHint() {
            return previousSecret == null ? "" : "; a '&' inside the " + previousSecret + " percent-encoded as %26";
        }

        /** {@code sslmode "maybe"}, unless the value may be the rest of a secret. */
        private IllegalArgumentException badValue(int position, String name, String value, String expected) {
            if (previousSecret != null) {
                return error(position, "an invalid " + name + afterSecret(), expected + encodeAmpersandHint());
            }
            return error(position, name + " \"" + value + "\"", expected);
        }

        /** Applies a supported parameter; only the values of non-secret ones with a fixed set of values are quoted. */
        private void apply(String name, String value, int valuePosition) {
            switch (name) {
                case "sslmode":
                    if (!SSL_MODES.contains(value)) {
                        throw badValue(valuePosition, "sslmode", value, String.join(", ", SSL_MODES));
                    }
                    props.put("sslmode", value);
                    libpq.put("sslmode", value);
                    break;
                case "ssl":
                    // libpq's reading (require), not pgJDBC's (verify-full): the URL is a libpq URL.
                    if (!value.equals("true") && !value.equals("1")) {
                        throw badValue(valuePosition, "ssl", value, "true (meaning sslmode=require), or use sslmode");
                    }
                    props.putIfAbsent("sslmode", "require");
                    libpq.putIfAbsent("sslmode", "require");
                    break;
                case "target_session_attrs":
                    String target = TARGET_SESSION_ATTRS.get(value);
                    if (target == null) {
                        throw badValue(valuePosition, "target_session_attrs", value,
                                "any, read-write, primary, read-only, standby or prefer-standby");
                    }
                    props.put("targetServerType", target);
                    libpq.put(name, value);
                    break;
                case "connect_timeout":
                    if (!value.matches("[0-9]{1,6}")) {
                        throw badValue(valuePosition, "connect_timeout", value, "whole seconds");
                    }
                    props.put("connectTimeout", Integer.toString(Integer.parseInt(value)));
                    libpq.put(name, value);
                    break;
                case "load_balance_hosts":
                    if (!value.equals("random") && !value.equals("disable")) {
                        throw badValue(valuePosition, "load_balance_hosts", value, "random or disable");
                    }
                    props.put("loadBalanceHosts", Boolean.toString(value.equals("random")));
                    libpq.put(name, value);
                    break;
                case "keepalives":
                    if (!value.equals("0") && !value.equals("1")) {
                        throw badValue(valuePosition, "keepalives", value, "0 or 1");
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
                    Map.Entry<String, List<String>> enumerated = ENUMERATED.get(name);
                    if (enumerated != null) {
                        if (!enumerated.getValue().contains(value)) {
                            throw badValue(valuePosition, name, value, String.join(", ", enumerated.getValue()));
                        }
                        props.put(enumerated.getKey(), value);
                    } else {
                        props.put(PASS_THROUGH.get(name), value);
                    }
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
