/**
 * The health endpoints and request counting for Jakarta Servlet containers; needs
 * {@code jakarta.servlet:jakarta.servlet-api} 6 on the class path.
 */
@NullMarked
package io.reporadar.health.servlet;

import org.jspecify.annotations.NullMarked;
