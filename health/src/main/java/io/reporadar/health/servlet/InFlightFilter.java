package io.reporadar.health.servlet;

import io.reporadar.health.Health;
import io.reporadar.health.InFlightRequests;
import io.reporadar.health.Lifecycle;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Counts the requests in flight for a graceful shutdown and, while the instance drains, asks clients to close
 * keep-alive connections so that their next request goes elsewhere. Map it to {@code /*}. Asynchronous
 * requests count until the filter chain returns, not until they complete.
 *
 * <p>Thread-safe.
 */
public final class InFlightFilter implements Filter {

    private final InFlightRequests inFlight;
    private final Health health;

    public InFlightFilter(InFlightRequests inFlight, Health health) {
        this.inFlight = inFlight;
        this.health = health;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        inFlight.begin();
        try {
            if (health.lifecycle() == Lifecycle.DRAINING && response instanceof HttpServletResponse http) {
                http.setHeader("Connection", "close");
            }
            chain.doFilter(request, response);
        } finally {
            inFlight.end();
        }
    }
}
