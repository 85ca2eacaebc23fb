/**
 * The health endpoints and request counting for Jakarta Servlet containers; needs
 * {@code jakarta.servlet:jakarta.servlet-api} 6 on the class path.
 */
package io.reporadar.health.servlet;
