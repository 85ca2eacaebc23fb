/**
 * The health endpoints and request counting for the JDK's own {@code com.sun.net.httpserver.HttpServer}.
 */
@NullMarked
package io.reporadar.health.httpserver;

import org.jspecify.annotations.NullMarked;
