/** The starter's session part; see {@code io.reporadar.spring}. */
@NullMarked
package io.reporadar.spring.session;

import org.jspecify.annotations.NullMarked;
