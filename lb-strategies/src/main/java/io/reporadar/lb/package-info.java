/**
 * Load-balancing strategies over a set of endpoints, free of HTTP types.
 */
@NullMarked
package io.reporadar.lb;

import org.jspecify.annotations.NullMarked;
