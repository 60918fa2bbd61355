/*
 * ConnectionTable: demultiplexing of arriving segments to their connection by the 4-tuple (RFC 9293 3.3.1 "a
 * connection is fully specified by the pair of sockets"): an open-addressing hash map with linear probing and
 * backward-shift deletion, keyed by (local address, local port, remote address, remote port) without any key
 * object, so a lookup per segment allocates nothing. The hash is seeded per stack so remote peers cannot aim at
 * one probe chain. Listeners use the same table with remote address and port 0.
 */
package io.ustack.tcp;

import java.util.function.Consumer;

/** 4-tuple -> value map. Engine thread only. */
final class ConnectionTable<V> {
    private static final int MIN_CAPACITY = 16;

    private final long seed;
    private long[] addresses; // local << 32 | remote
    private int[] ports;      // local << 16 | remote
    private Object[] values;  // null = empty slot
    private int size;

    ConnectionTable(long seed) {
        this.seed = seed;
        allocate(MIN_CAPACITY);
    }

    private void allocate(int capacity) {
        addresses = new long[capacity];
        ports = new int[capacity];
        values = new Object[capacity];
    }

    int size() {
        return size;
    }

    private static long addressKey(int localIp, int remoteIp) {
        return ((long) localIp << 32) | (remoteIp & 0xFFFFFFFFL);
    }

    private static int portKey(int localPort, int remotePort) {
        return (localPort << 16) | (remotePort & 0xFFFF);
    }

    private int slot(long a, int p) {
        long h = (a ^ seed) * 0x9E3779B97F4A7C15L + p;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int) h & (values.length - 1);
    }

    @SuppressWarnings("unchecked")
    V get(int localIp, int localPort, int remoteIp, int remotePort) {
        long a = addressKey(localIp, remoteIp);
        int p = portKey(localPort, remotePort);
        int mask = values.length - 1;
        for (int i = slot(a, p); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (addresses[i] == a && ports[i] == p) {
                return (V) v;
            }
        }
    }

    boolean contains(int localIp, int localPort, int remoteIp, int remotePort) {
        return get(localIp, localPort, remoteIp, remotePort) != null;
    }

    /** Inserts or replaces; returns the previous value or null. */
    @SuppressWarnings("unchecked")
    V put(int localIp, int localPort, int remoteIp, int remotePort, V value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if ((size + 1) * 2 > values.length) {
            resize(values.length * 2);
        }
        long a = addressKey(localIp, remoteIp);
        int p = portKey(localPort, remotePort);
        int mask = values.length - 1;
        for (int i = slot(a, p); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                addresses[i] = a;
                ports[i] = p;
                values[i] = value;
                size++;
                return null;
            }
            if (addresses[i] == a && ports[i] == p) {
                values[i] = value;
                return (V) v;
            }
        }
    }

    /** Removes the entry if it maps to {@code value} (identity); returns whether it did. */
    boolean remove(int localIp, int localPort, int remoteIp, int remotePort, V value) {
        long a = addressKey(localIp, remoteIp);
        int p = portKey(localPort, remotePort);
        int mask = values.length - 1;
        int i = slot(a, p);
        while (true) {
            Object v = values[i];
            if (v == null) {
                return false;
            }
            if (addresses[i] == a && ports[i] == p) {
                if (v != value) {
                    return false;
                }
                break;
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion: pull later members of the probe chain into the hole
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (values[j] == null) {
                break;
            }
            int home = slot(addresses[j], ports[j]);
            // the entry at j may move to the hole if its home is not cyclically within (hole, j]
            boolean homeInRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!homeInRange) {
                addresses[hole] = addresses[j];
                ports[hole] = ports[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
        addresses[hole] = 0;
        ports[hole] = 0;
        size--;
        return true;
    }

    /** Visits every value (order unspecified). The action must not modify the table. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<? super V> action) {
        for (Object v : values) {
            if (v != null) {
                action.accept((V) v);
            }
        }
    }

    private void resize(int capacity) {
        long[] oldA = addresses;
        int[] oldP = ports;
        Object[] oldV = values;
        allocate(capacity);
        int mask = capacity - 1;
        for (int k = 0; k < oldV.length; k++) {
            if (oldV[k] != null) {
                int i = slot(oldA[k], oldP[k]);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                addresses[i] = oldA[k];
                ports[i] = oldP[k];
                values[i] = oldV[k];
            }
        }
    }
}
