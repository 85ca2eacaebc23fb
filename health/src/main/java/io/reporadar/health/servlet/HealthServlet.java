package io.reporadar.health.servlet;

import io.reporadar.health.HealthEndpoints;
import io.reporadar.health.Networks;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Collections;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Serves the health endpoints from a Servlet container; map it to {@code /health} and {@code /health/*}.
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(new HealthServlet(endpoints)), "/health/*");
 * }</pre>
 *
 * <p>Behind a proxy, give the proxies' addresses ({@code new HealthServlet(endpoints, trustedProxies)}): the details
 * policy then judges the client they name in {@code X-Forwarded-For}, not the proxy.
 *
 * <p>Thread-safe.
 */
public final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient HealthEndpoints endpoints;
    private final transient Networks trustedProxies;

    /** Without proxies: the connecting address is the caller. */
    public HealthServlet(HealthEndpoints endpoints) {
        this(endpoints, Networks.NONE);
    }

    /** Behind {@code trustedProxies}, which name the client in {@code X-Forwarded-For}. */
    public HealthServlet(HealthEndpoints endpoints, Networks trustedProxies) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.trustedProxies = Objects.requireNonNull(trustedProxies, "trustedProxies");
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        HealthEndpoints.Response answer = endpoints.handle(HealthEndpoints.Request.of(request.getMethod(), path).withQuery(request.getQueryString())
                .withAccept(request.getHeader("Accept")).from(client(request, trustedProxies)).withAuthorization(request.getHeader("Authorization")));
        response.setStatus(answer.status());
        answer.headers().forEach(response::setHeader);
        byte[] body = answer.body();
        response.setContentLength(body.length);
        if (body.length > 0) {
            response.getOutputStream().write(body);
        }
    }

    /**
     * The request's client: the connecting address, or behind {@code trustedProxies} the client they name;
     * {@code null} when the address that decides is not an address literal (see {@link Networks#client}).
     */
    public static @Nullable InetAddress client(HttpServletRequest request, Networks trustedProxies) {
        return trustedProxies.client(request.getRemoteAddr(), Collections.list(request.getHeaders("X-Forwarded-For")));
    }
}
