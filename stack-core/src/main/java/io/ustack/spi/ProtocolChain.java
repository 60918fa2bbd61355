/*
 * ProtocolChain: the WSAPROTOCOLCHAIN of a catalog entry. Length 0 (LAYERED_PROTOCOL) is the entry of one layered
 * provider, length 1 (BASE_PROTOCOL) a base protocol, 2..7 a chain: catalog entry ids from the top layer down to the
 * base protocol, which is always the last element.
 */
package io.ustack.spi;

import java.util.Arrays;

/** An immutable WSAPROTOCOLCHAIN. */
public final class ProtocolChain {
    private static final int[] NONE = new int[0];
    /** The chain of a layered protocol entry (ChainLen 0). */
    public static final ProtocolChain LAYERED = new ProtocolChain(NONE);

    private final int[] entries;

    private ProtocolChain(int[] entries) {
        this.entries = entries;
    }

    /** The chain of a base entry: ChainLen 1 and the entry's own catalog id. */
    public static ProtocolChain base(int catalogEntryId) {
        return new ProtocolChain(new int[] {catalogEntryId});
    }

    /**
     * A chain of layers over a base: {@code entryIds} from the top layer down, the base protocol's id last.
     *
     * @throws IllegalArgumentException for fewer than 2 or more than MAX_PROTOCOL_CHAIN ids
     */
    public static ProtocolChain of(int... entryIds) {
        if (entryIds.length < 2 || entryIds.length > ServiceFlags.MAX_PROTOCOL_CHAIN) {
            throw new IllegalArgumentException("a protocol chain holds 2.." + ServiceFlags.MAX_PROTOCOL_CHAIN
                    + " entries, got " + entryIds.length);
        }
        return new ProtocolChain(entryIds.clone());
    }

    /** ChainLen. */
    public int length() {
        return entries.length;
    }

    /** ChainEntries[i]. */
    public int entry(int i) {
        return entries[i];
    }

    /** Index of {@code catalogEntryId} in the chain, or -1. */
    public int indexOf(int catalogEntryId) {
        for (int i = 0; i < entries.length; i++) {
            if (entries[i] == catalogEntryId) {
                return i;
            }
        }
        return -1;
    }

    /** The base protocol's catalog id (the last element); -1 for a layered entry. */
    public int baseEntryId() {
        return entries.length == 0 ? -1 : entries[entries.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProtocolChain c && Arrays.equals(entries, c.entries);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(entries);
    }

    @Override
    public String toString() {
        return "ProtocolChain" + Arrays.toString(entries);
    }
}
