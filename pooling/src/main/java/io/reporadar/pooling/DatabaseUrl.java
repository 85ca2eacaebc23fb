package io.reporadar.pooling;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

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

    private final List<HostPort> hosts;
    private final String database;
    private final @Nullable String user;
    private final @Nullable String password;
    private final Map<String, String> properties;
    private final Map<String, String> maskedProperties;
    private final Map<String, String> libpqParameters;

    /**
     * A parsed URL, as {@link LibpqUrlParser} reads it.
     *
     * @param properties      the pgJDBC properties other than user and password
     * @param libpqParameters the URL's parameters other than user, password and dbname, in libpq's spelling, for
     *                        {@link #toString()}
     */
    DatabaseUrl(List<HostPort> hosts, String database, @Nullable String user, @Nullable String password,
            Map<String, String> properties, Map<String, String> libpqParameters) {
        this.hosts = List.copyOf(hosts);
        this.database = database;
        this.user = user;
        this.password = password;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        Map<String, String> masked = new LinkedHashMap<>();
        properties.forEach((name, value) -> masked.put(name, PgJdbcParameters.isSecret(name) ? MASK : value));
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
        public boolean equals(@Nullable Object o) {
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
     * @param url the URI; {@code null} (an unset {@code DATABASE_URL}) or blank is reported as missing
     * @throws IllegalArgumentException {@code "DATABASE_URL: <reason> at position <n> (expected: <what>)"}, naming the
     *         part that is wrong but never quoting the user, password, hosts or ports, nor a secret parameter's value
     */
    public static DatabaseUrl parse(@Nullable String url) {
        return LibpqUrlParser.parse(url);
    }

    public List<HostPort> hosts() {
        return hosts;
    }

    public String database() {
        return database;
    }

    /** The user, or {@code null} when the URL names none (pgJDBC then uses the OS user). */
    public @Nullable String user() {
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
            String value = PgJdbcParameters.isSecret(p.getKey()) ? MASK : encodePath(p.getValue());
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
                        .append(PgJdbcParameters.isSecret(name) ? MASK : getProperty(name));
            }
            return out.append('}').toString();
        }
    }
}
