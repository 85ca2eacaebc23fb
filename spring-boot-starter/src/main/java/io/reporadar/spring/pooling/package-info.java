/** The starter's pooling part; see {@code io.reporadar.spring}. */
@NullMarked
package io.reporadar.spring.pooling;

import org.jspecify.annotations.NullMarked;
