package io.reporadar.health.servlet;

import io.reporadar.health.HealthEndpoints;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;

/**
 * Serves the health endpoints from a Servlet container; map it to {@code /health} and {@code /health/*}.
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(new HealthServlet(endpoints)), "/health/*");
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient HealthEndpoints endpoints;

    public HealthServlet(HealthEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        HealthEndpoints.Response answer = endpoints.handle(request.getMethod(), path, request.getQueryString(),
                request.getHeader("Accept"), isLoopback(request.getRemoteAddr()), request.getHeader("Authorization"));
        response.setStatus(answer.status());
        answer.headers().forEach(response::setHeader);
        byte[] body = answer.body();
        response.setContentLength(body.length);
        if (body.length > 0) {
            response.getOutputStream().write(body);
        }
    }

    private static boolean isLoopback(String address) {
        try {
            // An address literal: no name lookup happens.
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
