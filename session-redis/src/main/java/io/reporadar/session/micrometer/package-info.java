/** Micrometer meters for the session store; needs {@code io.micrometer:micrometer-core} on the class path. */
package io.reporadar.session.micrometer;
