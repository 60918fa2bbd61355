/*
 * TestFrames: hand-built Ethernet frames (ARP per RFC 826, IPv4 per RFC 791, ICMP echo per RFC 792) and by-hand
 * field reads, independent of the stack's own wire code, so a kernel-peer test checks the stack against the RFC
 * rather than against itself. Also a receive-until helper for a Link.
 */
package io.ustack.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ustack.link.Link;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Frame builders and readers for tests. Offsets are from the start of the Ethernet frame. */
public final class TestFrames {
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    public static final int ARP_REQUEST = 1;
    public static final int ARP_REPLY = 2;
    public static final int ETHERTYPE_OFFSET = 12;
    // ARP body (RFC 826) after the 14-byte Ethernet header
    public static final int ARP_OPER_OFFSET = 14 + 6;
    public static final int ARP_SHA_OFFSET = 14 + 8;
    public static final int ARP_SPA_OFFSET = 14 + 14;
    public static final int ARP_THA_OFFSET = 14 + 18;
    public static final int ARP_TPA_OFFSET = 14 + 24;
    // IPv4 (no options) and ICMP
    public static final int IP_OFFSET = 14;
    public static final int IP_PROTOCOL_OFFSET = IP_OFFSET + 9;
    public static final int IP_SOURCE_OFFSET = IP_OFFSET + 12;
    public static final int IP_DESTINATION_OFFSET = IP_OFFSET + 16;
    public static final int ICMP_OFFSET = IP_OFFSET + 20;
    public static final int ICMP_ECHO_REPLY = 0;
    public static final int ICMP_ECHO_REQUEST = 8;

    private TestFrames() {
    }

    public static long mac(ByteBuf frame, int offset) {
        return ((long) frame.getUnsignedShort(offset) << 32) | frame.getUnsignedInt(offset + 2);
    }

    public static int etherType(ByteBuf frame) {
        return frame.readableBytes() >= 14 ? frame.getUnsignedShort(frame.readerIndex() + ETHERTYPE_OFFSET) : -1;
    }

    public static boolean isArp(ByteBuf frame, int oper) {
        return etherType(frame) == ETHERTYPE_ARP && frame.readableBytes() >= 42
                && frame.getUnsignedShort(14) == 1 && frame.getUnsignedShort(16) == ETHERTYPE_IPV4
                && frame.getUnsignedShort(ARP_OPER_OFFSET) == oper;
    }

    /** An ARP frame (padded to the 60-byte Ethernet minimum) in a pooled direct buffer. */
    public static ByteBuf arp(int oper, long ethDestination, long senderMac, int senderIp, long targetMac,
                              int targetIp) {
        ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer(60);
        writeMac(f, ethDestination);
        writeMac(f, senderMac);
        f.writeShort(ETHERTYPE_ARP);
        f.writeShort(1).writeShort(ETHERTYPE_IPV4).writeByte(6).writeByte(4).writeShort(oper);
        writeMac(f, senderMac);
        f.writeInt(senderIp);
        writeMac(f, targetMac);
        f.writeInt(targetIp);
        f.writeZero(60 - f.writerIndex());
        return f;
    }

    /** An ICMP echo request in IPv4 in Ethernet, checksums filled in, in a pooled direct buffer. */
    public static ByteBuf icmpEchoRequest(long ethDestination, long ethSource, int sourceIp, int destinationIp,
                                          int identifier, int sequence, byte[] payload) {
        int ipLength = 20 + 8 + payload.length;
        ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer(14 + ipLength);
        writeMac(f, ethDestination);
        writeMac(f, ethSource);
        f.writeShort(ETHERTYPE_IPV4);
        f.writeByte(0x45).writeByte(0).writeShort(ipLength).writeShort(0x1234).writeShort(0x4000);
        f.writeByte(64).writeByte(1).writeShort(0).writeInt(sourceIp).writeInt(destinationIp);
        f.setShort(IP_OFFSET + 10, checksum(f, IP_OFFSET, 20));
        f.writeByte(ICMP_ECHO_REQUEST).writeByte(0).writeShort(0).writeShort(identifier).writeShort(sequence);
        f.writeBytes(payload);
        f.setShort(ICMP_OFFSET + 2, checksum(f, ICMP_OFFSET, 8 + payload.length));
        return f;
    }

    /** RFC 1071 Internet checksum over {@code length} bytes at {@code offset}; 0 when the bytes hold a valid one. */
    public static int checksum(ByteBuf buf, int offset, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += buf.getUnsignedShort(offset + i);
        }
        if ((length & 1) != 0) {
            sum += buf.getUnsignedByte(offset + length - 1) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    public static int parseIpv4(String dotted) {
        String[] parts = dotted.split("\\.");
        int value = 0;
        for (String part : parts) {
            value = (value << 8) | Integer.parseInt(part);
        }
        return value;
    }

    private static void writeMac(ByteBuf f, long mac) {
        f.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }

    /**
     * Receives from {@code link} until a frame matches or {@code timeout} passes; every other frame goes to
     * {@code others} (e.g. to answer ARP). Returns an unpooled copy of the matching frame (release it), or null.
     */
    public static ByteBuf receiveUntil(Link link, Duration timeout, Predicate<ByteBuf> match,
                                       Consumer<ByteBuf> others) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuf[] found = new ByteBuf[1];
        while (found[0] == null) {
            link.receive(frame -> {
                if (found[0] == null && match.test(frame)) {
                    found[0] = Unpooled.copiedBuffer(frame);
                } else {
                    others.accept(frame);
                }
            }, 64);
            long left = deadline - System.nanoTime();
            if (found[0] != null || left <= 0) {
                break;
            }
            link.await(left);
        }
        return found[0];
    }
}
