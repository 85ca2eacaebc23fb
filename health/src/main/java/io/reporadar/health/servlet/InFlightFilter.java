package io.reporadar.health.servlet;

import io.reporadar.health.InFlightRequests;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Counts the requests in flight for a graceful shutdown and, once the server has stopped accepting connections,
 * asks clients to close kept-alive ones so that their next request goes elsewhere. Map it to {@code /*}, first
 * of the filters, so that a request counts until the others are done with it. Asynchronous requests count until
 * the filter chain returns, not until they complete.
 *
 * <p>Thread-safe.
 */
public final class InFlightFilter implements Filter {

    private final InFlightRequests inFlight;

    public InFlightFilter(InFlightRequests inFlight) {
        this.inFlight = java.util.Objects.requireNonNull(inFlight, "inFlight");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        inFlight.begin();
        try {
            if (inFlight.closingConnections() && response instanceof HttpServletResponse http) {
                http.setHeader("Connection", "close");
            }
            chain.doFilter(request, response);
        } finally {
            inFlight.end();
        }
    }
}
