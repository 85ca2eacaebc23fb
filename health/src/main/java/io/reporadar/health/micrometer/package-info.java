/**
 * Micrometer meters for health checks; needs {@code io.micrometer:micrometer-core} on the class path.
 */
package io.reporadar.health.micrometer;
