/*
 * PcapLink: a Link decorator that writes every received and transmitted frame to a classic libpcap capture file
 * (the "pcap" format of tcpdump/Wireshark, draft-ietf-opsawg-pcap; nanosecond variant, magic 0xA1B23C4D), so any run
 * of the stack can be opened in Wireshark. Link types: 1 (LINKTYPE_ETHERNET) for Ethernet framing, 101 (LINKTYPE_RAW,
 * bare IPv4/IPv6) for IP framing.
 *
 *   file header (24 bytes, written in big-endian order; readers detect the order from the magic)
 *   +-------------+---------+---------+----------+---------+-----------+-----------+
 *   | magic (4)   | major 2 | minor 4 | zone 0   | sigfigs | snaplen   | linktype  |
 *   | A1B23C4D    | (2)     | (2)     | (4)      | 0 (4)   | 65535 (4) | 1/101 (4) |
 *   +-------------+---------+---------+----------+---------+-----------+-----------+
 *   record header (16 bytes) then incl_len bytes of frame
 *   +-----------+-----------+-----------+-----------+
 *   | ts sec    | ts nsec   | incl_len  | orig_len  |
 *   +-----------+-----------+-----------+-----------+
 *
 * Output is buffered in one byte array (no allocation per frame) and written out when full and on close.
 *
 * Checksum offloads: a received frame whose transport checksum is PARTIAL (ChecksumState; a TAP with the virtio-net
 * header, virtio spec 1.x section 5.1.6) carries only the pseudo-header sum in its TCP/UDP checksum field, as the
 * sending kernel left it. The copy written to the capture gets the completed checksum (PartialChecksum), so tshark
 * reads the capture without checksum errors; the frame handed to the stack is not touched. Snaplen is 262144
 * (libpcap's and tcpdump's default): super-frames of up to 64 KiB of IP plus the Ethernet header are kept whole.
 */
package io.ustack.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.engine.Clock;
import io.ustack.wire.PartialChecksum;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/** Records the frames crossing a {@link Link} to a pcap file; everything else is passed through to the link. */
public final class PcapLink extends ForwardingLink {
    public static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    public static final int SNAPLEN = 262144;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int FILE_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;

    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_MAJOR_OFFSET = 4;
    private static final int VERSION_MINOR_OFFSET = 6;
    private static final int SNAPLEN_OFFSET = 16;
    private static final int LINKTYPE_OFFSET = 20;
    private static final int TS_SEC_OFFSET = 0;
    private static final int TS_NSEC_OFFSET = 4;
    private static final int INCL_LEN_OFFSET = 8;
    private static final int ORIG_LEN_OFFSET = 12;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Room for one record of SNAPLEN bytes and more: frames are at most 64 KiB + an Ethernet header in practice. */
    private static final int BUFFER_SIZE = 384 * 1024;

    private final OutputStream out;
    private final Clock clock;
    private final long epochOffsetNanos;
    private final RecordingSink recordingSink = new RecordingSink();
    private final Object lock = new Object();

    // guarded by lock
    private final byte[] buffer = new byte[BUFFER_SIZE];
    /** The buffer as a ByteBuf, to complete partial checksums in the recorded copy. */
    private final ByteBuf bufferView = Unpooled.wrappedBuffer(buffer);
    private final PartialChecksum partialChecksum = new PartialChecksum();
    private int position;
    private boolean closed;
    private IOException failure;
    private long records;

    /**
     * @param delegate         the link to record
     * @param out              where the capture goes; closed by {@link #close()}
     * @param clock            the stack's clock; a frame's timestamp is {@code clock.nanos() + epochOffsetNanos}
     * @param epochOffsetNanos what to add to the clock to get nanoseconds since 1970 (0 if the clock already is so)
     */
    public PcapLink(Link delegate, OutputStream out, Clock clock, long epochOffsetNanos) {
        super(delegate);
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.epochOffsetNanos = epochOffsetNanos;
        putInt(MAGIC_OFFSET, MAGIC_NANOSECONDS);
        putShort(VERSION_MAJOR_OFFSET, VERSION_MAJOR);
        putShort(VERSION_MINOR_OFFSET, VERSION_MINOR);
        putInt(SNAPLEN_OFFSET, SNAPLEN);
        putInt(LINKTYPE_OFFSET, linkType(delegate.framing()));
        position = FILE_HEADER_LENGTH;
    }

    /**
     * Records {@code delegate} into a new file at {@code file} (replaced if it exists). Timestamps are the clock's
     * readings placed on the wall-clock time line: the offset is taken once, now.
     */
    public static PcapLink open(Link delegate, Path file, Clock clock) throws IOException {
        Instant wall = Instant.now();
        long offset = wall.getEpochSecond() * NANOS_PER_SECOND + wall.getNano() - clock.nanos();
        return new PcapLink(delegate, Files.newOutputStream(file), clock, offset);
    }

    /** The pcap link type for a framing: 1 for Ethernet, 101 (raw IPv4/IPv6) for IP. */
    public static int linkType(Framing framing) {
        return framing == Framing.ETHERNET ? LINKTYPE_ETHERNET : LINKTYPE_RAW;
    }

    @Override
    public int receive(FrameSink sink, int budget) {
        FrameSink outer = recordingSink.downstream;
        recordingSink.downstream = sink;
        try {
            return delegate.receive(recordingSink, budget);
        } finally {
            recordingSink.downstream = outer;
        }
    }

    /** Records the frame as sent (also when the wrapped link then drops it), then passes it on. */
    @Override
    public boolean transmit(ByteBuf frame) {
        record(frame, ChecksumState.NONE);
        return delegate.transmit(frame);
    }

    /** Frames recorded so far. */
    public long records() {
        synchronized (lock) {
            return records;
        }
    }

    /** Writes buffered records to the output now (e.g. before reading a capture that is still open). */
    public void flushCapture() throws IOException {
        synchronized (lock) {
            if (failure != null) {
                throw failure;
            }
            if (!closed) {
                drain();
                if (failure != null) {
                    throw failure;
                }
                out.flush();
            }
        }
    }

    /**
     * Closes the wrapped link, then writes out and closes the capture.
     *
     * @throws UncheckedIOException if writing the capture failed at any point (recording stopped then)
     */
    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            synchronized (lock) {
                if (!closed) {
                    closed = true;
                    drain();
                    try {
                        out.close();
                    } catch (IOException e) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                    if (failure != null) {
                        throw new UncheckedIOException("pcap capture failed", failure);
                    }
                }
            }
        }
    }

    private void record(ByteBuf frame, ChecksumState checksum) {
        long timestamp = clock.nanos() + epochOffsetNanos;
        int length = frame.readableBytes();
        int included = Math.min(length, SNAPLEN);
        synchronized (lock) {
            if (closed || failure != null) {
                return;
            }
            if (BUFFER_SIZE - position < RECORD_HEADER_LENGTH + included) {
                drain();
                if (failure != null) {
                    return;
                }
            }
            int record = position;
            putInt(record + TS_SEC_OFFSET, (int) Math.floorDiv(timestamp, NANOS_PER_SECOND));
            putInt(record + TS_NSEC_OFFSET, (int) Math.floorMod(timestamp, NANOS_PER_SECOND));
            putInt(record + INCL_LEN_OFFSET, included);
            putInt(record + ORIG_LEN_OFFSET, length);
            frame.getBytes(frame.readerIndex(), buffer, record + RECORD_HEADER_LENGTH, included);
            if (checksum == ChecksumState.PARTIAL && included == length) {
                partialChecksum.complete(bufferView, record + RECORD_HEADER_LENGTH, length,
                        delegate.framing() == Framing.ETHERNET);
            }
            position = record + RECORD_HEADER_LENGTH + included;
            records++;
        }
    }

    /** Writes the buffer out; on failure remembers the error and stops recording. Caller holds the lock. */
    private void drain() {
        if (failure != null || position == 0) {
            return;
        }
        try {
            out.write(buffer, 0, position);
        } catch (IOException e) {
            failure = e;
        }
        position = 0;
    }

    private void putInt(int offset, int value) {
        buffer[offset] = (byte) (value >>> 24);
        buffer[offset + 1] = (byte) (value >>> 16);
        buffer[offset + 2] = (byte) (value >>> 8);
        buffer[offset + 3] = (byte) value;
    }

    private void putShort(int offset, int value) {
        buffer[offset] = (byte) (value >>> 8);
        buffer[offset + 1] = (byte) value;
    }

    /**
     * Records each received frame, then hands it (with its checksum state) to the sink of the current receive call.
     * Reused, not per call.
     */
    private final class RecordingSink implements FrameSink {
        FrameSink downstream;

        @Override
        public void onFrame(ByteBuf frame) {
            onFrame(frame, ChecksumState.NONE);
        }

        @Override
        public void onFrame(ByteBuf frame, ChecksumState checksum) {
            record(frame, checksum);
            downstream.onFrame(frame, checksum);
        }
    }

    @Override
    public String toString() {
        return "PcapLink[" + delegate + "]";
    }
}
