package io.reporadar.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reporadar.session.Session;
import io.reporadar.session.servlet.SessionFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's HTTP contract: {@code POST /api/login}, {@code POST /api/logout}, {@code GET /api/me} (reads the
 * session only, so it is answered from a Redis replica while the master fails over), {@code POST /api/visits}
 * (counts a visit in the session: a write), {@code GET|POST /api/watchlist} and the job routes ({@link JobRoutes}); every error is a JSON object {@code {"error": "..."}} naming the culprit. Every response names its instance in
 * {@code X-Instance-Id} (set by a filter); bodies name it too.
 */
final class ApiServlet extends HttpServlet {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,38}");
    private static final int MAX_BODY = 4096;

    private final String instanceId;
    private final transient Watchlist watchlist;
    private final transient JobRoutes jobs;

    ApiServlet(String instanceId, Watchlist watchlist, JobRoutes jobs) {
        this.instanceId = instanceId;
        this.watchlist = watchlist;
        this.jobs = jobs;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI();
        if (JobRoutes.handles(path)) {
            String username = SessionFilter.session(request).get("username", String.class);
            if (username == null) {
                send(response, 401, object("error", "not logged in"));
            } else {
                jobs.serve(request, response, username);
            }
            return;
        }
        String route = request.getMethod() + " " + path;
        switch (route) {
            case "POST /api/login" -> login(request, response);
            case "POST /api/logout" -> logout(request, response);
            case "GET /api/me" -> me(request, response, false);
            case "POST /api/visits" -> me(request, response, true);
            case "GET /api/watchlist", "POST /api/watchlist" -> watchlist(request, response);
            default -> send(response, 404, Map.of("error", "not found"));
        }
    }

    private void login(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!json(request, response)) {
            return;
        }
        String username;
        try {
            username = field(request, "username");
            if (!USERNAME.matcher(username).matches()) {
                throw new IllegalArgumentException("username: expected 1-39 letters, digits, '_', '.' or '-'");
            }
        } catch (IllegalArgumentException e) {
            send(response, 400, object("error", String.valueOf(e.getMessage())));
            return;
        }
        Session session = SessionFilter.session(request);
        session.set("username", username);
        session.set("visits", 0);
        SessionFilter.changeId(request);
        send(response, 200, object("username", username, "instance", instanceId));
    }

    /**
     * Whether the body is declared JSON; otherwise answers 415. A cross-site form can post only form encodings
     * and {@code text/plain} without a CORS preflight, which this API never grants: so no other site's page can
     * log a browser in or write to its account.
     */
    static boolean json(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String type = request.getContentType();
        String media = type == null ? "" : type.split(";", 2)[0].strip();
        if (media.equalsIgnoreCase("application/json")) {
            return true;
        }
        send(response, 415, object("error", "Content-Type: expected application/json"));
        return false;
    }

    /** A text field of a JSON object body; the error names what is wrong and never echoes the body. */
    private static String field(HttpServletRequest request, String name) throws IOException {
        return text(body(request, "{\"" + name + "\":\"...\"}"), name, "{\"" + name + "\":\"...\"}");
    }

    /**
     * The request's body as a JSON object, at most {@value #MAX_BODY} bytes.
     *
     * @param expected what the body should look like, for the error
     * @throws IllegalArgumentException naming what is wrong, never echoing the body
     */
    static JsonNode body(HttpServletRequest request, String expected) throws IOException {
        byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("body: more than " + MAX_BODY + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body: not JSON (expected: " + expected + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("body: not a JSON object (expected: " + expected + ")");
        }
        return root;
    }

    /** The text field {@code name} of {@code body}; the error names the field and what was expected. */
    static String text(JsonNode body, String name, String expected) {
        JsonNode value = body.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(name + ": missing (expected: " + expected + ")");
        }
        return value.asText();
    }

    private void logout(HttpServletRequest request, HttpServletResponse response) {
        SessionFilter.invalidate(request);
        response.setStatus(204);
    }

    /** The user and the visits counted so far, after counting one more when {@code visit}. */
    private void me(HttpServletRequest request, HttpServletResponse response, boolean visit) throws IOException {
        Session session = SessionFilter.session(request);
        String username = session.get("username", String.class);
        if (username == null) {
            send(response, 401, Map.of("error", "not logged in"));
            return;
        }
        Integer visits = session.get("visits", Integer.class);
        int now = (visits == null ? 0 : visits) + (visit ? 1 : 0);
        if (visit) {
            session.set("visits", now);
        }
        send(response, 200, object("username", username, "visits", now, "instance", instanceId));
    }

    /** A JSON object with its fields in the order given. */
    static Map<String, @Nullable Object> object(@Nullable Object... namesAndValues) {
        Map<String, @Nullable Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }

    private void watchlist(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String username = SessionFilter.session(request).get("username", String.class);
        if (username == null) {
            send(response, 401, object("error", "not logged in"));
            return;
        }
        try {
            if (request.getMethod().equals("GET")) {
                send(response, 200, object("username", username, "repos", watchlist.of(username)));
                return;
            }
            if (!json(request, response)) {
                return;
            }
            String repo = Watchlist.checkRepo(field(request, "repo"));
            send(response, 201, object("username", username, "repos", watchlist.add(username, repo)));
        } catch (IllegalArgumentException e) {
            send(response, 400, object("error", String.valueOf(e.getMessage())));
        } catch (SQLException e) {
            LOG.warn("watchlist of a user failed: SQLSTATE {}", e.getSQLState());
            response.setHeader("Retry-After", "1");
            send(response, 503, object("error", "database unavailable"));
        }
    }

    static void send(HttpServletResponse response, int status, Map<String, ?> body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }
}
