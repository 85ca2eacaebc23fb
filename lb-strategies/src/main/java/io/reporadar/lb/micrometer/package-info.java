/**
 * Micrometer meters for load balancers; needs {@code io.micrometer:micrometer-core} on the class path.
 */
@NullMarked
package io.reporadar.lb.micrometer;

import org.jspecify.annotations.NullMarked;
