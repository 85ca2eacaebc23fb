/**
 * The session store in Jakarta Servlet containers; needs {@code jakarta.servlet:jakarta.servlet-api} 6.
 */
package io.reporadar.session.servlet;
