package io.reporadar.pooling;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of a {@code DATABASE_URL} and what pgJDBC makes of them: which libpq parameters are accepted
 * (an allow-list, so that nothing is dropped silently), which are refused and what to do instead, the values
 * each accepts, and the pgJDBC property each becomes. One instance collects the parameters of one URL as
 * {@link LibpqUrlParser} reads them; not thread-safe.
 */
final class PgJdbcParameters {

    /** The parameters accepted, in the order error messages list them. */
    static final List<String> SUPPORTED = List.of("sslmode", "ssl", "sslrootcert", "sslcert", "sslkey",
            "sslpassword", "sslnegotiation", "channel_binding", "gssencmode", "target_session_attrs", "application_name",
            "connect_timeout", "load_balance_hosts", "keepalives", "options", "user", "password", "dbname");

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
    /** libpq parameters that providers' URLs carry and pgJDBC has no per-connection equivalent of, and what to do instead. */
    private static final Map<String, String> REFUSED = Map.of(
            "service", "a pg_service.conf entry, which this URL does not look up: give its hosts, port and dbname in the URL",
            "passfile", "a password file, which pgJDBC reads only from PGPASSFILE (or ~/.pgpass): set that, or put the password in the URL");
    /** Parameters whose values are a fixed set: libpq name, pgJDBC property, values. */
    private static final Map<String, Map.Entry<String, List<String>>> ENUMERATED = Map.of(
            "channel_binding", Map.entry("channelBinding", List.of("disable", "prefer", "require")),
            "gssencmode", Map.entry("gssEncMode", List.of("disable", "allow", "prefer", "require")),
            "sslnegotiation", Map.entry("sslNegotiation", List.of("postgres", "direct")));

    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> libpq = new LinkedHashMap<>();

    /**
     * Whether the value of the parameter or property {@code name} is a secret to mask: {@code password},
     * {@code sslpassword} and any other name containing {@code password}, whatever the case.
     */
    static boolean isSecret(String name) {
        return name.toLowerCase(Locale.ROOT).contains("password");
    }

    /** What to do instead of {@code name}, a libpq parameter pgJDBC has no equivalent of; {@code null} when it is not one. */
    static @Nullable String refusal(String name) {
        return REFUSED.get(name);
    }

    /**
     * Adds a {@linkplain #SUPPORTED supported} parameter other than {@code user}, {@code password} and
     * {@code dbname} (which the URL's user info and path also give), as the pgJDBC property of the same meaning.
     *
     * @return {@code null} once added; when {@code value} is not one the parameter takes, what it takes (and
     *         nothing is added)
     */
    @Nullable String add(String name, String value) {
        switch (name) {
            case "sslmode" -> {
                if (!SSL_MODES.contains(value)) {
                    return String.join(", ", SSL_MODES);
                }
                properties.put("sslmode", value);
                libpq.put("sslmode", value);
            }
            case "ssl" -> {
                // libpq's reading (require), not pgJDBC's (verify-full): the URL is a libpq URL.
                if (!value.equals("true") && !value.equals("1")) {
                    return "true (meaning sslmode=require), or use sslmode";
                }
                properties.putIfAbsent("sslmode", "require");
                libpq.putIfAbsent("sslmode", "require");
            }
            case "target_session_attrs" -> {
                String target = TARGET_SESSION_ATTRS.get(value);
                if (target == null) {
                    return "any, read-write, primary, read-only, standby or prefer-standby";
                }
                translate(name, value, "targetServerType", target);
            }
            case "connect_timeout" -> {
                if (!value.matches("[0-9]{1,6}")) {
                    return "whole seconds";
                }
                translate(name, value, "connectTimeout", Integer.toString(Integer.parseInt(value)));
            }
            case "load_balance_hosts" -> {
                if (!value.equals("random") && !value.equals("disable")) {
                    return "random or disable";
                }
                translate(name, value, "loadBalanceHosts", Boolean.toString(value.equals("random")));
            }
            case "keepalives" -> {
                if (!value.equals("0") && !value.equals("1")) {
                    return "0 or 1";
                }
                translate(name, value, "tcpKeepAlive", Boolean.toString(value.equals("1")));
            }
            default -> {
                Map.Entry<String, List<String>> enumerated = ENUMERATED.get(name);
                String passThrough = PASS_THROUGH.get(name);
                if (enumerated != null) {
                    if (!enumerated.getValue().contains(value)) {
                        return String.join(", ", enumerated.getValue());
                    }
                    translate(name, value, enumerated.getKey(), value);
                } else if (passThrough != null) {
                    translate(name, value, passThrough, value);
                } else {
                    throw new IllegalStateException("not a parameter translated here: " + name);
                }
            }
        }
        return null;
    }

    /** The pgJDBC properties added, in the order of the URL. */
    Map<String, String> properties() {
        return Collections.unmodifiableMap(properties);
    }

    /** The libpq parameters added, as the URL gave them (in the order of the URL), for {@link DatabaseUrl#toString()}. */
    Map<String, String> libpq() {
        return Collections.unmodifiableMap(libpq);
    }

    private void translate(String name, String value, String property, String propertyValue) {
        properties.put(property, propertyValue);
        libpq.put(name, value);
    }
}
