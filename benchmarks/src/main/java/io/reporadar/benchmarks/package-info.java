/**
 * JMH suites that measure the toolkit against its peers in the same run; not published.
 */
@NullMarked
package io.reporadar.benchmarks;

import org.jspecify.annotations.NullMarked;
