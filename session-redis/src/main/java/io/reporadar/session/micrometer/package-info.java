/** Micrometer meters for the session store; needs {@code io.micrometer:micrometer-core} on the class path. */
@NullMarked
package io.reporadar.session.micrometer;

import org.jspecify.annotations.NullMarked;
