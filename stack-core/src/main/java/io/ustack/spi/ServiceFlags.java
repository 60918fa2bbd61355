/*
 * ServiceFlags: the WSAPROTOCOL_INFO bit fields and enumerations with their winsock2.h values: dwServiceFlags1
 * (XP1_*), dwProviderFlags (PFL_*), protocol chain kinds and lengths, and the byte-order and security-scheme codes.
 */
package io.ustack.spi;

/** XP1_* service flags, PFL_* provider flags and the other WSAPROTOCOL_INFO enumerations. */
public final class ServiceFlags {
    private ServiceFlags() {
    }

    // dwServiceFlags1.
    public static final int XP1_CONNECTIONLESS = 0x00000001;
    public static final int XP1_GUARANTEED_DELIVERY = 0x00000002;
    public static final int XP1_GUARANTEED_ORDER = 0x00000004;
    public static final int XP1_MESSAGE_ORIENTED = 0x00000008;
    public static final int XP1_PSEUDO_STREAM = 0x00000010;
    public static final int XP1_GRACEFUL_CLOSE = 0x00000020;
    public static final int XP1_EXPEDITED_DATA = 0x00000040;
    public static final int XP1_CONNECT_DATA = 0x00000080;
    public static final int XP1_DISCONNECT_DATA = 0x00000100;
    public static final int XP1_SUPPORT_BROADCAST = 0x00000200;
    public static final int XP1_SUPPORT_MULTIPOINT = 0x00000400;
    /** With XP1_SUPPORT_MULTIPOINT: the control plane is rooted (absent: non-rooted). */
    public static final int XP1_MULTIPOINT_CONTROL_PLANE = 0x00000800;
    /** With XP1_SUPPORT_MULTIPOINT: the data plane is rooted (absent: non-rooted). */
    public static final int XP1_MULTIPOINT_DATA_PLANE = 0x00001000;
    public static final int XP1_QOS_SUPPORTED = 0x00002000;
    public static final int XP1_INTERRUPT = 0x00004000;
    public static final int XP1_UNI_SEND = 0x00008000;
    public static final int XP1_UNI_RECV = 0x00010000;
    public static final int XP1_IFS_HANDLES = 0x00020000;
    public static final int XP1_PARTIAL_MESSAGE = 0x00040000;
    public static final int XP1_SAN_SUPPORT_SDP = 0x00080000;

    // dwProviderFlags.
    public static final int PFL_MULTIPLE_PROTO_ENTRIES = 0x00000001;
    public static final int PFL_RECOMMENDED_PROTO_ENTRY = 0x00000002;
    public static final int PFL_HIDDEN = 0x00000004;
    public static final int PFL_MATCHES_PROTOCOL_ZERO = 0x00000008;
    public static final int PFL_NETWORKDIRECT_PROVIDER = 0x00000010;

    // WSAPROTOCOLCHAIN.
    /** ChainLen of a layered protocol entry (the entry of one layer, not usable to create sockets). */
    public static final int LAYERED_PROTOCOL = 0;
    /** ChainLen of a base protocol entry. */
    public static final int BASE_PROTOCOL = 1;
    /** Most entries a protocol chain holds. */
    public static final int MAX_PROTOCOL_CHAIN = 7;

    /** Longest szProtocol (characters, without the terminator). */
    public static final int WSAPROTOCOL_LEN = 255;
    /** Longest WSPDATA szDescription (characters, without the terminator). */
    public static final int WSPDESCRIPTION_LEN = 255;

    // iNetworkByteOrder.
    public static final int BIGENDIAN = 0x0000;
    public static final int LITTLEENDIAN = 0x0001;

    // iSecurityScheme.
    public static final int SECURITY_PROTOCOL_NONE = 0x0000;

    // dwMessageSize special values.
    /** Stream-oriented protocol: message size does not apply. */
    public static final int MESSAGE_SIZE_STREAM = 0x0;
    /** Maximum message size depends on the MTU, known once bound. */
    public static final int MESSAGE_SIZE_MTU_DEPENDENT = 0x1;
    /** Message-oriented without a maximum. */
    public static final int MESSAGE_SIZE_UNLIMITED = 0xFFFFFFFF;
}
