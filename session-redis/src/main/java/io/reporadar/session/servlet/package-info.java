/**
 * The session store in Jakarta Servlet containers; needs {@code jakarta.servlet:jakarta.servlet-api} 6.
 */
@NullMarked
package io.reporadar.session.servlet;

import org.jspecify.annotations.NullMarked;
