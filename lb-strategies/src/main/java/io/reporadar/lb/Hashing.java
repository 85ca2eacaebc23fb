package io.reporadar.lb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A 64-bit hash for keys and endpoint names in the style of MurmurHash3 x64: eight bytes at a time, then
 * MurmurHash3's finalizer. Fast, allocation-free, and stable across JVMs and platforms (Maglev tables must
 * agree between clients), since bytes are always read little-endian.
 *
 * <p>Thread-safe (stateless).
 */
final class Hashing {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Hashing() {
    }

    static long hash64(byte[] data, int length, long seed) {
        long h = seed ^ (length * C1);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            long k = (long) LONGS.get(data, i);
            k *= C1;
            k = Long.rotateLeft(k, 31);
            k *= C2;
            h ^= k;
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        long tail = 0;
        for (int shift = 0; i < length; i++, shift += 8) {
            tail |= (data[i] & 0xffL) << shift;
        }
        if (tail != 0) {
            tail *= C1;
            tail = Long.rotateLeft(tail, 31);
            tail *= C2;
            h ^= tail;
        }
        return fmix64(h ^ length);
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
