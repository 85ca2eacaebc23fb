/**
 * Micrometer meters for health checks; needs {@code io.micrometer:micrometer-core} on the class path.
 */
@NullMarked
package io.reporadar.health.micrometer;

import org.jspecify.annotations.NullMarked;
