package io.reporadar.lb;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * What a pick may depend on: a hash key or a client address, and the endpoints already tried for this
 * request. One context serves one request through its retries; {@link #reset} makes it reusable, so that
 * picking allocates nothing.
 *
 * <p>Not thread-safe: one per request (or per thread).
 */
public final class PickContext {

    private byte[] key = new byte[0];
    private int keyLength;
    private final byte[] address = new byte[16];
    private int addressLength;
    private long[] tried = new long[1];
    private boolean anyTried;
    private int attempts;
    private final CRC32 crc = new CRC32();

    public PickContext() {
    }

    /** A context with a hash key (UTF-8). */
    public static PickContext withKey(CharSequence key) {
        return new PickContext().key(key);
    }

    /** A context with a client address. */
    public static PickContext withClient(InetAddress client) {
        return new PickContext().client(client);
    }

    /** Forgets the key, the address and the tried endpoints. */
    public PickContext reset() {
        keyLength = 0;
        addressLength = 0;
        java.util.Arrays.fill(tried, 0L);
        anyTried = false;
        attempts = 0;
        return this;
    }

    /** Forgets the tried endpoints only, keeping key and address: the next request with the same key. */
    public PickContext clearTried() {
        if (anyTried) {
            java.util.Arrays.fill(tried, 0L);
            anyTried = false;
        }
        attempts = 0;
        return this;
    }

    public PickContext key(CharSequence key) {
        byte[] bytes = key.toString().getBytes(StandardCharsets.UTF_8);
        return key(bytes, bytes.length);
    }

    public PickContext key(byte[] bytes, int length) {
        if (key.length < length) {
            key = new byte[Math.max(length, 32)];
        }
        System.arraycopy(bytes, 0, key, 0, length);
        keyLength = length;
        return this;
    }

    public PickContext client(InetAddress client) {
        byte[] raw = client.getAddress();
        System.arraycopy(raw, 0, address, 0, raw.length);
        addressLength = raw.length;
        return this;
    }

    /** Marks an endpoint (by its index in the selector's snapshot) as tried, so a retry picks another. */
    void markTried(int index) {
        int word = index >>> 6;
        if (word >= tried.length) {
            // Grows once per context for large clusters; picks themselves never allocate.
            tried = java.util.Arrays.copyOf(tried, word + 1);
        }
        tried[word] |= 1L << index;
        anyTried = true;
        attempts++;
    }

    /** Whether the endpoint at {@code index} was picked for this request already. */
    public boolean wasTried(int index) {
        int word = index >>> 6;
        return word < tried.length && (tried[word] & (1L << index)) != 0;
    }

    boolean anyTried() {
        return anyTried;
    }

    /** How many endpoints were picked for this request so far. */
    public int attempts() {
        return attempts;
    }

    /** Whether the request carries a hash key. */
    public boolean hasKey() {
        return keyLength > 0;
    }

    /** CRC32 of the key's UTF-8 bytes, as nginx's {@code hash ... consistent} computes it. */
    public long keyCrc32() {
        crc.reset();
        crc.update(key, 0, keyLength);
        return crc.getValue();
    }

    /**
     * A well-mixed 64-bit hash of the key with {@code seed}, computed without allocating: the one the built-in
     * Maglev uses, stable across JVMs, platforms and versions of this library (clients must agree).
     */
    public long keyHash64(long seed) {
        return Hashing.hash64(key, keyLength, seed);
    }

    byte[] addressBytes() {
        return address;
    }

    /** Whether the request carries a client address. */
    public boolean hasClient() {
        return addressLength > 0;
    }

    /**
     * Copies the client address's bytes (4 for IPv4, 16 for IPv6) into {@code into}, which must hold 16, and
     * returns how many; 0 without a client. Allocates nothing.
     */
    public int clientAddress(byte[] into) {
        System.arraycopy(address, 0, into, 0, addressLength);
        return addressLength;
    }

    int addressLength() {
        return addressLength;
    }
}
