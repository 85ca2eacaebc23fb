package io.reporadar.session.servlet;

import io.reporadar.session.Session;
import io.reporadar.session.SessionStore;
import io.reporadar.session.SessionStoreUnavailableException;
import io.reporadar.session.SessionTooLargeException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Gives each request its session: loaded lazily on the first {@link #session(ServletRequest)} call (a request
 * that never asks costs no round trip), saved once just before the response is committed (so the cookie can
 * still be set), and a store outage answered with 503 instead of a stack trace.
 *
 * <pre>{@code
 * context.addFilter(new FilterHolder(new SessionFilter(store, SessionFilter.CookieSettings.defaults())), "/*", ...);
 * Session session = SessionFilter.session(request);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class SessionFilter implements Filter {

    private static final Logger LOG = LoggerFactory.getLogger(SessionFilter.class);
    private static final String ATTRIBUTE = SessionFilter.class.getName() + ".state";

    private final SessionStore store;
    private final CookieSettings cookie;

    public SessionFilter(SessionStore store, CookieSettings cookie) {
        this.store = store;
        this.cookie = cookie;
    }

    /** The session cookie's attributes. Immutable and thread-safe. */
    public static final class CookieSettings {
        private static final String HOST_PREFIX = "__Host-";
        private final String name;
        private final boolean secure;
        private final String sameSite;
        private final String path;

        private CookieSettings(String name, boolean secure, String sameSite, String path) {
            this.name = name;
            this.secure = secure;
            this.sameSite = sameSite;
            this.path = path;
        }

        /** {@code reporadar.sid}, HttpOnly, Secure, SameSite=Lax, Path=/. */
        public static CookieSettings defaults() {
            return new CookieSettings("reporadar.sid", true, "Lax", "/");
        }

        public CookieSettings name(String cookieName) {
            if (cookieName == null || !cookieName.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("session cookie name: " + cookieName + " (expected: letters, digits, '.', '_' or '-')");
            }
            return new CookieSettings(cookieName, secure, sameSite, path);
        }

        /** Secure off: for plain-http development only (not with {@link #hostPrefix()}). */
        public CookieSettings secure(boolean onlyOverHttps) {
            if (!onlyOverHttps && name.startsWith(HOST_PREFIX)) {
                throw new IllegalArgumentException("session cookie " + name + ": a __Host- cookie must be Secure");
            }
            return new CookieSettings(name, onlyOverHttps, sameSite, path);
        }

        /**
         * Names the cookie {@code __Host-<name>}: browsers then accept it only with {@code Secure}, {@code Path=/}
         * and no {@code Domain}, set over https by this host, so a sibling subdomain cannot plant or overwrite it.
         */
        public CookieSettings hostPrefix() {
            if (!secure) {
                throw new IllegalArgumentException("session cookie " + name + ": a __Host- cookie must be Secure");
            }
            return name.startsWith(HOST_PREFIX) ? this : new CookieSettings(HOST_PREFIX + name, true, sameSite, "/");
        }

        public CookieSettings sameSite(String value) {
            if (!value.equals("Lax") && !value.equals("Strict") && !value.equals("None")) {
                throw new IllegalArgumentException("SameSite: " + value + " (expected: Lax, Strict or None)");
            }
            return new CookieSettings(name, secure, value, path);
        }

        String header(String value, boolean delete) {
            return name + "=" + value + "; Path=" + path + "; HttpOnly" + (secure ? "; Secure" : "") + "; SameSite=" + sameSite
                    + (delete ? "; Max-Age=0" : "");
        }
    }

    /**
     * The request's session, loaded on first use.
     *
     * @throws IllegalStateException when the request did not pass through a {@code SessionFilter}
     */
    public static Session session(ServletRequest request) {
        State state = (State) request.getAttribute(ATTRIBUTE);
        if (state == null) {
            throw new IllegalStateException("no SessionFilter in front of this request: map it to /*");
        }
        return state.session();
    }

    /** Ends the request's session: deleted from the store, cookie cleared. */
    public static void invalidate(ServletRequest request) {
        State state = (State) request.getAttribute(ATTRIBUTE);
        if (state != null) {
            state.invalidate();
        }
    }

    /** Gives the request's session a new id (after login). */
    public static void changeId(ServletRequest request) {
        State state = (State) request.getAttribute(ATTRIBUTE);
        if (state != null) {
            state.store.changeId(state.session());
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        HttpServletResponse httpResponse = (HttpServletResponse) response;
        State state = new State(store, cookie, cookieValues(http));
        request.setAttribute(ATTRIBUTE, state);
        CommitGuard guarded = new CommitGuard(httpResponse, state);
        try {
            chain.doFilter(request, guarded);
            state.beforeCommit(httpResponse);
        } catch (SessionStoreUnavailableException e) {
            LOG.warn("session store unavailable: {}{}", e.getMessage(), e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")");
            fail(guarded, state, httpResponse, 503, "session store unavailable");
        } catch (SessionTooLargeException e) {
            LOG.info("session too large: {}", e.getMessage()); // sizes and the attribute's name only, never the value
            fail(guarded, state, httpResponse, 413, "session too large");
        } finally {
            guarded.finish();
        }
    }

    /**
     * Answers {@code status} with a JSON error instead of what the servlet wrote (its buffered body is dropped),
     * unless the response is already committed. A logout still clears the cookie.
     */
    private static void fail(CommitGuard guarded, State state, HttpServletResponse response, int status, String error) throws IOException {
        guarded.discard();
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        response.setStatus(status);
        if (status == 503) {
            response.setHeader("Retry-After", "1");
        }
        if (state.invalidated && state.cookieValue != null) {
            response.addHeader("Set-Cookie", state.cookie.header("", true));
        }
        response.setContentType("application/json");
        response.getWriter().write("{\"error\":\"" + error + "\"}");
    }

    /** The values of every cookie of the session cookie's name, in the order the browser sent them. */
    private List<String> cookieValues(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        List<String> values = new ArrayList<>(1);
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (c.getName().equals(cookie.name)) {
                    values.add(c.getValue());
                }
            }
        }
        return values;
    }

    /** Per-request state: the lazily loaded session and whether it has been saved. */
    private static final class State {
        final SessionStore store;
        final CookieSettings cookie;
        private final List<String> cookieValues;
        @Nullable String cookieValue;
        @Nullable Session session;
        boolean done;
        boolean invalidated;

        State(SessionStore store, CookieSettings cookie, List<String> cookieValues) {
            this.store = store;
            this.cookie = cookie;
            this.cookieValues = cookieValues;
            this.cookieValue = cookieValues.isEmpty() ? null : cookieValues.get(0);
        }

        /**
         * Loaded on first use. Of several cookies of the session's name (one planted by a sibling domain, which the
         * browser may send first), the first that names a live session; a signed one naming none, or a forged one,
         * is passed over. Without {@code __Host-} ({@link CookieSettings#hostPrefix()}) a sibling can still plant a
         * live session of its own: use the prefix where it matters.
         */
        Session session() {
            if (session == null) {
                for (String value : cookieValues) {
                    if (cookieValues.size() > 1 && !store.verifies(value)) {
                        continue;
                    }
                    Session loaded = store.load(value);
                    if (!loaded.isNew() || value.equals(cookieValues.get(cookieValues.size() - 1))) {
                        cookieValue = value;
                        session = loaded;
                        return session;
                    }
                }
                session = store.load(cookieValue);
            }
            return session;
        }

        void invalidate() {
            invalidated = true; // the cookie is cleared even if the store cannot be reached
            store.invalidate(session());
        }

        /** Saves once, and sets or clears the cookie, while headers can still be written. */
        void beforeCommit(HttpServletResponse response) {
            if (done) {
                return;
            }
            done = true;
            if (invalidated) {
                if (cookieValue != null) {
                    response.addHeader("Set-Cookie", cookie.header("", true));
                }
                return;
            }
            if (session == null) {
                return;
            }
            store.save(session);
            if (session.isInvalidated() || session.isNew()) {
                // Refused (logged out meanwhile), or nothing was stored: no cookie to hand out.
                return;
            }
            String value = store.cookieValue(session);
            if (!value.equals(cookieValue)) {
                response.addHeader("Set-Cookie", cookie.header(value, false));
            }
        }
    }

    /** Runs the save just before the first byte of the body, a redirect or an error commits the response. */
    private static final class CommitGuard extends HttpServletResponseWrapper {
        private final HttpServletResponse response;
        private final State state;
        private @Nullable ServletOutputStream stream;
        private @Nullable PrintWriter writer;
        private boolean discarded;

        CommitGuard(HttpServletResponse response, State state) {
            super(response);
            this.response = response;
            this.state = state;
        }

        private void commit() {
            state.beforeCommit(response);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                ServletOutputStream real = response.getOutputStream();
                stream = new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        if (!discarded) {
                            commit();
                            real.write(b);
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (!discarded) {
                            commit();
                            real.write(b, off, len);
                        }
                    }

                    @Override
                    public void flush() throws IOException {
                        if (!discarded) {
                            commit();
                            real.flush();
                        }
                    }

                    @Override
                    public boolean isReady() {
                        return real.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        real.setWriteListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (writer == null) {
                String charset = response.getCharacterEncoding() == null ? StandardCharsets.UTF_8.name() : response.getCharacterEncoding();
                writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), charset));
            }
            return writer;
        }

        @Override
        public void flushBuffer() throws IOException {
            commit();
            if (writer != null) {
                writer.flush();
            }
            response.flushBuffer();
        }

        @Override
        public void sendRedirect(String location) throws IOException {
            commit();
            response.sendRedirect(location);
        }

        @Override
        public void sendError(int sc, String msg) throws IOException {
            commit();
            response.sendError(sc, msg);
        }

        @Override
        public void sendError(int sc) throws IOException {
            commit();
            response.sendError(sc);
        }

        /** Drops whatever the servlet wrote and still writes: the response is an error now. */
        void discard() {
            discarded = true;
        }

        void finish() throws IOException {
            if (writer != null && !discarded) {
                writer.flush();
            }
        }
    }
}
