package io.reporadar.pooling;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a libpq URI into a {@link DatabaseUrl}: scheme, user info, hosts, database and parameters (which
 * {@link PgJdbcParameters} checks and translates). A single-use recursive-descent parser that remembers positions
 * for its error messages, which never quote the user, password, hosts or ports, nor a secret parameter's value.
 * Not thread-safe.
 */
final class LibpqUrlParser {

    private static final String VARIABLE = "DATABASE_URL";
    /** The error for an unset or blank {@code DATABASE_URL}. */
    static final String MISSING = VARIABLE + ": missing (expected: postgresql://user:password@host:port/database)";
    /** A scheme as RFC 3986 spells it (so no ':', '@' or '/': never a user or password), or {@code jdbc:} and one. */
    private static final Pattern QUOTABLE_SCHEME =
            Pattern.compile("(?i)(jdbc:)?[a-z][a-z0-9+.-]{0,31}");
    /** A parameter name plain enough to quote in an error message. */
    private static final Pattern QUOTABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private final String url;
    private final List<DatabaseUrl.HostPort> hosts = new ArrayList<>();
    private final PgJdbcParameters parameters = new PgJdbcParameters();
    private @Nullable String user;
    private @Nullable String password;
    private @Nullable String database;
    /** The secret parameter just read (password, sslpassword), while the next one could be the rest of its value. */
    private @Nullable String previousSecret;

    private LibpqUrlParser(String url) {
        this.url = url;
    }

    /** See {@link DatabaseUrl#parse}. */
    static DatabaseUrl parse(@Nullable String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(MISSING);
        }
        return new LibpqUrlParser(url.strip()).parse();
    }

    private DatabaseUrl parse() {
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
        String name = database == null || database.isEmpty() ? user : database;
        if (name == null) {
            throw error(url.length(), "no database name", "/database after the hosts");
        }
        return new DatabaseUrl(hosts, name, user, password, parameters.properties(), parameters.libpq());
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
        int port = DatabaseUrl.DEFAULT_PORT;
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
        hosts.add(new DatabaseUrl.HostPort(host.toLowerCase(Locale.ROOT), port));
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
                    if (previousSecret == null && PgJdbcParameters.SUPPORTED.contains(text)) {
                        throw error(i + 1, "parameter \"" + text + "\" has no value", "name=value");
                    }
                    throw error(i + 1, "a parameter without '='" + afterSecret(), "name=value" + encodeAmpersandHint());
                }
                String name = decode(i, eq, "parameter name");
                String refusal = PgJdbcParameters.refusal(name);
                if (refusal != null) {
                    throw error(i + 1, "parameter \"" + name + "\" is not supported", refusal);
                }
                if (!PgJdbcParameters.SUPPORTED.contains(name)) {
                    String which = previousSecret == null && QUOTABLE_NAME.matcher(name).matches()
                            ? "unsupported parameter \"" + name + "\"" : "an unsupported parameter" + afterSecret();
                    throw error(i + 1, which, "one of " + String.join(", ", PgJdbcParameters.SUPPORTED) + encodeAmpersandHint());
                }
                String value = decode(eq + 1, end, name.equals("password") ? "password" : "value of " + name);
                apply(name, value, eq + 2);
                previousSecret = PgJdbcParameters.isSecret(name) ? name : null;
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
            case "user" -> user = value;
            case "password" -> password = value;
            case "dbname" -> database = value;
            default -> {
                String expected = parameters.add(name, value);
                if (expected != null) {
                    throw badValue(valuePosition, name, value, expected);
                }
            }
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
