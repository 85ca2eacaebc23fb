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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The demo's HTTP contract: {@code POST /api/login}, {@code POST /api/logout} and {@code GET /api/me}; every
 * error is a JSON object {@code {"error": "..."}} naming the culprit. Every response names its instance in
 * {@code X-Instance-Id} (set by a filter); bodies name it too.
 */
final class ApiServlet extends HttpServlet {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,38}");
    private static final int MAX_BODY = 4096;

    private final String instanceId;

    ApiServlet(String instanceId) {
        this.instanceId = instanceId;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String route = request.getMethod() + " " + request.getRequestURI();
        switch (route) {
            case "POST /api/login" -> login(request, response);
            case "POST /api/logout" -> logout(request, response);
            case "GET /api/me" -> me(request, response);
            default -> send(response, 404, Map.of("error", "not found"));
        }
    }

    private void login(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String username;
        try {
            username = username(request);
        } catch (IllegalArgumentException e) {
            send(response, 400, Map.of("error", e.getMessage()));
            return;
        }
        Session session = SessionFilter.session(request);
        session.set("username", username);
        session.set("visits", 0);
        SessionFilter.changeId(request);
        send(response, 200, object("username", username, "instance", instanceId));
    }

    /** The {@code username} of a JSON body, or an error message naming what is wrong (never echoing the body). */
    private static String username(HttpServletRequest request) throws IOException {
        byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("body: more than " + MAX_BODY + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body: not JSON (expected: {\"username\":\"...\"})");
        }
        JsonNode name = root == null ? null : root.get("username");
        if (name == null || !name.isTextual()) {
            throw new IllegalArgumentException("username: missing (expected: {\"username\":\"...\"})");
        }
        if (!USERNAME.matcher(name.asText()).matches()) {
            throw new IllegalArgumentException("username: expected 1-39 letters, digits, '_', '.' or '-'");
        }
        return name.asText();
    }

    private void logout(HttpServletRequest request, HttpServletResponse response) {
        SessionFilter.invalidate(request);
        response.setStatus(204);
    }

    private void me(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Session session = SessionFilter.session(request);
        String username = session.get("username", String.class);
        if (username == null) {
            send(response, 401, Map.of("error", "not logged in"));
            return;
        }
        Integer visits = session.get("visits", Integer.class);
        int now = (visits == null ? 0 : visits) + 1;
        session.set("visits", now);
        send(response, 200, object("username", username, "visits", now, "instance", instanceId));
    }

    /** A JSON object with its fields in the order given. */
    private static Map<String, Object> object(Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }

    private static void send(HttpServletResponse response, int status, Map<String, ?> body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }
}
