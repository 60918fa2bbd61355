/*
 * ProtocolInfoLayout: the WSAPROTOCOL_INFOW (628 bytes) and WSAPROTOCOL_INFOA (372 bytes) memory layouts of
 * winsock2.h, little-endian as on Windows x86/x64, for getsockopt(SO_PROTOCOL_INFOW / SO_PROTOCOL_INFOA). The GUID is
 * Data1 (u32), Data2 (u16), Data3 (u16) little-endian and Data4 (8 bytes) in order; dwProviderReserved is written as 0
 * (a share token has no byte form).
 */
package io.ustack.spi;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Serialises a {@link ProtocolInfo} to and from its Winsock structure. */
public final class ProtocolInfoLayout {
    public static final int SERVICE_FLAGS1_OFFSET = 0;
    public static final int PROVIDER_FLAGS_OFFSET = 16;
    public static final int PROVIDER_ID_OFFSET = 20;
    public static final int CATALOG_ENTRY_ID_OFFSET = 36;
    public static final int CHAIN_LEN_OFFSET = 40;
    public static final int CHAIN_ENTRIES_OFFSET = 44;
    public static final int VERSION_OFFSET = 72;
    public static final int ADDRESS_FAMILY_OFFSET = 76;
    public static final int MAX_SOCKADDR_OFFSET = 80;
    public static final int MIN_SOCKADDR_OFFSET = 84;
    public static final int SOCKET_TYPE_OFFSET = 88;
    public static final int PROTOCOL_OFFSET = 92;
    public static final int PROTOCOL_MAX_OFFSET_OFFSET = 96;
    public static final int NETWORK_BYTE_ORDER_OFFSET = 100;
    public static final int SECURITY_SCHEME_OFFSET = 104;
    public static final int MESSAGE_SIZE_OFFSET = 108;
    public static final int PROVIDER_RESERVED_OFFSET = 112;
    public static final int PROTOCOL_NAME_OFFSET = 116;
    /** sizeof(WSAPROTOCOL_INFOW). */
    public static final int LENGTH_W = PROTOCOL_NAME_OFFSET + 2 * (ServiceFlags.WSAPROTOCOL_LEN + 1);
    /** sizeof(WSAPROTOCOL_INFOA). */
    public static final int LENGTH_A = PROTOCOL_NAME_OFFSET + ServiceFlags.WSAPROTOCOL_LEN + 1;

    private ProtocolInfoLayout() {
    }

    /** Writes {@code info} at the start of {@code dst} (which holds {@link #LENGTH_W} or {@link #LENGTH_A} bytes). */
    public static void write(ProtocolInfo info, boolean wide, byte[] dst) {
        java.util.Arrays.fill(dst, 0, wide ? LENGTH_W : LENGTH_A, (byte) 0);
        OptionValue.putInt(dst, SERVICE_FLAGS1_OFFSET, info.serviceFlags1());
        OptionValue.putInt(dst, PROVIDER_FLAGS_OFFSET, info.providerFlags());
        UUID id = info.providerId();
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        OptionValue.putInt(dst, PROVIDER_ID_OFFSET, (int) (msb >>> 32));
        OptionValue.putShort(dst, PROVIDER_ID_OFFSET + 4, (int) (msb >>> 16));
        OptionValue.putShort(dst, PROVIDER_ID_OFFSET + 6, (int) msb);
        for (int i = 0; i < 8; i++) {
            dst[PROVIDER_ID_OFFSET + 8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        OptionValue.putInt(dst, CATALOG_ENTRY_ID_OFFSET, info.catalogEntryId());
        ProtocolChain chain = info.protocolChain();
        OptionValue.putInt(dst, CHAIN_LEN_OFFSET, chain.length());
        for (int i = 0; i < chain.length(); i++) {
            OptionValue.putInt(dst, CHAIN_ENTRIES_OFFSET + 4 * i, chain.entry(i));
        }
        OptionValue.putInt(dst, VERSION_OFFSET, info.version());
        OptionValue.putInt(dst, ADDRESS_FAMILY_OFFSET, info.addressFamily());
        OptionValue.putInt(dst, MAX_SOCKADDR_OFFSET, info.maxSockAddr());
        OptionValue.putInt(dst, MIN_SOCKADDR_OFFSET, info.minSockAddr());
        OptionValue.putInt(dst, SOCKET_TYPE_OFFSET, info.socketType());
        OptionValue.putInt(dst, PROTOCOL_OFFSET, info.protocol());
        OptionValue.putInt(dst, PROTOCOL_MAX_OFFSET_OFFSET, info.protocolMaxOffset());
        OptionValue.putInt(dst, NETWORK_BYTE_ORDER_OFFSET, info.networkByteOrder());
        OptionValue.putInt(dst, SECURITY_SCHEME_OFFSET, info.securityScheme());
        OptionValue.putInt(dst, MESSAGE_SIZE_OFFSET, info.messageSize());
        String name = info.protocolName();
        if (wide) {
            for (int i = 0; i < name.length(); i++) {
                OptionValue.putShort(dst, PROTOCOL_NAME_OFFSET + 2 * i, name.charAt(i));
            }
        } else {
            byte[] ansi = name.getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(ansi, 0, dst, PROTOCOL_NAME_OFFSET, ansi.length);
        }
    }

    /** Reads a structure written by {@link #write} (or by Windows) back (without a share token). */
    public static ProtocolInfo read(byte[] src, boolean wide) {
        long msb = (long) OptionValue.getInt(src, PROVIDER_ID_OFFSET) << 32
                | (long) OptionValue.getShort(src, PROVIDER_ID_OFFSET + 4) << 16
                | OptionValue.getShort(src, PROVIDER_ID_OFFSET + 6);
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            lsb = lsb << 8 | (src[PROVIDER_ID_OFFSET + 8 + i] & 0xff);
        }
        int chainLen = OptionValue.getInt(src, CHAIN_LEN_OFFSET);
        ProtocolChain chain;
        if (chainLen == ServiceFlags.LAYERED_PROTOCOL) {
            chain = ProtocolChain.LAYERED;
        } else if (chainLen == ServiceFlags.BASE_PROTOCOL) {
            chain = ProtocolChain.base(OptionValue.getInt(src, CHAIN_ENTRIES_OFFSET));
        } else {
            int[] ids = new int[chainLen];
            for (int i = 0; i < chainLen; i++) {
                ids[i] = OptionValue.getInt(src, CHAIN_ENTRIES_OFFSET + 4 * i);
            }
            chain = ProtocolChain.of(ids);
        }
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < ServiceFlags.WSAPROTOCOL_LEN; i++) {
            int c = wide ? OptionValue.getShort(src, PROTOCOL_NAME_OFFSET + 2 * i)
                    : src[PROTOCOL_NAME_OFFSET + i] & 0xff;
            if (c == 0) {
                break;
            }
            name.append((char) c);
        }
        return new ProtocolInfo(OptionValue.getInt(src, SERVICE_FLAGS1_OFFSET),
                OptionValue.getInt(src, PROVIDER_FLAGS_OFFSET), new UUID(msb, lsb),
                OptionValue.getInt(src, CATALOG_ENTRY_ID_OFFSET), chain, OptionValue.getInt(src, VERSION_OFFSET),
                OptionValue.getInt(src, ADDRESS_FAMILY_OFFSET), OptionValue.getInt(src, MAX_SOCKADDR_OFFSET),
                OptionValue.getInt(src, MIN_SOCKADDR_OFFSET), OptionValue.getInt(src, SOCKET_TYPE_OFFSET),
                OptionValue.getInt(src, PROTOCOL_OFFSET), OptionValue.getInt(src, PROTOCOL_MAX_OFFSET_OFFSET),
                OptionValue.getInt(src, NETWORK_BYTE_ORDER_OFFSET), OptionValue.getInt(src, SECURITY_SCHEME_OFFSET),
                OptionValue.getInt(src, MESSAGE_SIZE_OFFSET), null, name.toString());
    }

    /** getsockopt(SO_PROTOCOL_INFOW/A): 0, or SOCKET_ERROR with WSAEFAULT when the buffer is too small. */
    static int get(ProtocolInfo info, boolean wide, byte[] value, IntRef length, ErrnoRef errno) {
        int need = wide ? LENGTH_W : LENGTH_A;
        if (length.get() < need) {
            return errno.fail(WsaError.WSAEFAULT, Winsock.SOCKET_ERROR);
        }
        write(info.withoutShareToken(), wide, value);
        length.set(need);
        return 0;
    }
}
