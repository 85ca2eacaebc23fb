/**
 * Not API: what the stores of this library share (the cipher of a key ring, unreadable data). Public only so that
 * other RepoRadar modules can use it; it may change in any release.
 */
@NullMarked
package io.reporadar.session.internal;

import org.jspecify.annotations.NullMarked;
