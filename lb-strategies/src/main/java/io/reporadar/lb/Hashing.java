package io.reporadar.lb;

/**
 * A 64-bit hash for keys and endpoint names: FNV-1a over the bytes, then MurmurHash3's finalizer, which fixes
 * FNV's weak low bits. Fast, allocation-free, and stable across JVMs (Maglev tables must agree between
 * clients).
 *
 * <p>Thread-safe (stateless).
 */
final class Hashing {

    private Hashing() {
    }

    static long hash64(byte[] data, int length, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (int i = 0; i < length; i++) {
            h ^= data[i] & 0xff;
            h *= 0x100000001b3L;
        }
        return fmix64(h);
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
