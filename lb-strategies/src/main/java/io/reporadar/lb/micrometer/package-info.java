/**
 * Micrometer meters for load balancers; needs {@code io.micrometer:micrometer-core} on the class path.
 */
package io.reporadar.lb.micrometer;
