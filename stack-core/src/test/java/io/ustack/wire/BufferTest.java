/*
 * BufferTest: base class for the wire tests: hex fixtures as ByteBufs that are all released after each test (leak
 * detection runs at PARANOID), and a deliberately naive RFC 1071 checksum used to verify fixtures independently of
 * the Checksum class under test.
 */
package io.ustack.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

abstract class BufferTest {
    private final List<ByteBuf> buffers = new ArrayList<>();

    /** A heap buffer holding the hex bytes (whitespace ignored), readerIndex 0, writerIndex at the end. */
    ByteBuf hex(String hex) {
        return wrapBytes(bytes(hex));
    }

    ByteBuf wrapBytes(byte[] bytes) {
        ByteBuf b = Unpooled.buffer(bytes.length);
        b.writeBytes(bytes);
        return track(b);
    }

    /** A zeroed buffer of {@code n} writable-and-written bytes. */
    ByteBuf zeros(int n) {
        ByteBuf b = Unpooled.buffer(n);
        b.writeZero(n);
        return track(b);
    }

    /** A direct (off-heap) copy, to run the same code against the other ByteBuf implementation. */
    ByteBuf direct(byte[] bytes) {
        ByteBuf b = Unpooled.directBuffer(bytes.length);
        b.writeBytes(bytes);
        return track(b);
    }

    ByteBuf track(ByteBuf b) {
        buffers.add(b);
        return b;
    }

    @AfterEach
    void releaseBuffers() {
        for (ByteBuf b : buffers) {
            b.release();
        }
        buffers.clear();
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static byte[] copy(ByteBuf b, int offset, int length) {
        byte[] out = new byte[length];
        b.getBytes(offset, out);
        return out;
    }

    /** Plain 16-bit word sum of the concatenated parts with end-around carry, complemented (RFC 1071). */
    static int naiveChecksum(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        byte[] all = new byte[total + 1];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, pos, p.length);
            pos += p.length;
        }
        long sum = 0;
        for (int i = 0; i < total; i += 2) {
            sum += ((all[i] & 0xff) << 8) | (all[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** The 12-byte IPv4 pseudo-header (RFC 9293 3.1). */
    static byte[] pseudoHeader(int src, int dst, int protocol, int length) {
        return new byte[] {
            (byte) (src >>> 24), (byte) (src >>> 16), (byte) (src >>> 8), (byte) src,
            (byte) (dst >>> 24), (byte) (dst >>> 16), (byte) (dst >>> 8), (byte) dst,
            0, (byte) protocol, (byte) (length >>> 8), (byte) length
        };
    }
}
