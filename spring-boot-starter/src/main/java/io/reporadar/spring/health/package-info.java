/** The starter's health part; see {@code io.reporadar.spring}. */
@NullMarked
package io.reporadar.spring.health;

import org.jspecify.annotations.NullMarked;
