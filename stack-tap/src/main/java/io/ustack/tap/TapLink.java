/*
 * TapLink: a Link over a Linux TAP (Ethernet frames) or TUN (IP packets) device, through FFM system calls.
 *
 * Per-frame paths allocate nothing but the pooled buffer a received frame is delivered in: reads go into one
 * pre-allocated native segment and are copied into a pooled direct ByteBuf; writes pass the ByteBuf's own memory
 * address to write(2) when it has one, else copy into a pre-allocated native scratch segment. Netty 4.2 recycles
 * pooled ByteBuf objects only on a FastThreadLocalThread: on a plain engine thread each received frame costs about
 * 104 heap bytes inside Netty (measured), on a FastThreadLocalThread none (TapLinkAllocationTest, integration-tests).
 *
 * Sleeping is poll(2) on the device and an eventfd(2); wakeup() writes the eventfd. Wake-ups are coalesced: while
 * one is pending (the engine has not yet returned from or entered await), further wakeup() calls cost one atomic
 * operation and no system call.
 *
 * Offloads (TapOptions.OFFLOADS, opened by TunTap with IFF_VNET_HDR; Linux Documentation/networking/tuntap.rst):
 * every read starts with a 12-byte virtio-net header (virtio spec 1.x section 5.1.6, VnetHeader) and may carry a TCP
 * super-frame of up to 64 KiB (GSO) whose checksum is partial; the header is checked (a bad one is counted in
 * rxMalformed and the frame dropped) and its checksum state handed to the sink with the frame. Writes put a zero
 * header (a plain frame, checksum complete) in front of the frame with writev(2): no copy of a direct frame. Frames
 * we send are never segmented by the kernel for us (no TSO on transmit yet).
 *
 * Closing from any thread: the engine thread marks itself inside a call (a volatile field written on entry, read by
 * close after it publishes `closed`, Dekker style); descriptors and native memory are released by close() when the
 * engine is outside, or by the engine thread on its way out of the call it is in. No descriptor number is ever used
 * after it is closed, so a closed number reused by another file cannot receive our frames.
 */
package io.ustack.tap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ustack.link.ChecksumState;
import io.ustack.link.FrameSink;
import io.ustack.link.Link;
import io.ustack.wire.EthernetFrame;
import io.ustack.wire.TcpSegment;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/** A {@link Link} over a TAP or TUN device. Threading as in {@link Link}: one engine thread, any-thread wakeup/close. */
public final class TapLink implements Link {
    /** Pass as {@code mac} to get a random locally administered unicast address. */
    public static final long RANDOM_MAC = -1L;
    public static final int DEFAULT_MTU = 1500;
    /** Longest poll(2) sleep of one {@link #await} call. */
    public static final long MAX_AWAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
    /**
     * The read buffer: the largest frame a tun device hands out (64 KiB super-frames, behind a 12-byte virtio-net
     * header, only come with offloads).
     */
    static final int READ_CAPACITY = 65536 + 64;
    /** How long close() waits for the engine thread to leave a call before leaving the release to that thread. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final TunTap device;
    private final int fd;
    private final int eventFd;
    private final int mtu;
    private final long mac;
    /** Frames read and written carry a {@link VnetHeader} (the device was opened with offloads). */
    private final boolean vnet;
    /** Frames longer than this (the MTU plus the link header) are super-frames. */
    private final int largestPlainFrame;
    private final VnetHeader header = new VnetHeader();
    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;

    // --- native memory (one shared arena, freed once on release) ---
    private final Arena arena = Arena.ofShared();
    /** errno of the engine thread's calls. */
    private final MemorySegment engineState;
    private final MemorySegment readBuffer;
    private final long readAddress;
    private final ByteBuffer readView;
    private final MemorySegment scratch;
    private final long scratchAddress;
    private final ByteBuffer scratchView;
    /** Two struct pollfd: [0] the device, [1] the eventfd. */
    private final MemorySegment pollFds;
    private final long pollFdsAddress;
    private final long drainAddress;
    /** The eventfd increment (1) and the errno of wakeup calls: used only under {@link #wakeLock}. */
    private final long oneAddress;
    private final MemorySegment wakeState;
    /** Two struct iovec for writev: [0] a zero vnet header, [1] the frame (vnet mode only). */
    private final MemorySegment iov;
    private final long iovAddress;
    /** The all-zero vnet header of plain frames, and the one written for each TCP super-segment (engine thread). */
    private final long zeroHeaderAddress;
    private final MemorySegment gsoHeader;

    // --- cross-thread state ---
    private final Object wakeLock = new Object();
    /** Guarded by wakeLock: false once the eventfd is closed. */
    private boolean eventFdOpen = true;
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean closed;
    /** Set when the device failed (removed under us); the link is down from then on. */
    private volatile int fatalErrno;
    /** The engine thread while it is inside receive/transmit/await, else null. */
    private volatile Thread engineInside;
    /** Nesting depth of engine calls (a sink may transmit); engine thread only. */
    private int depth;

    // --- statistics, written by the engine thread only ---
    private long rxFrames;
    private long rxBytes;
    private long rxSuperFrames;
    private long rxGsoFrames;
    private long rxPartialChecksum;
    private long rxMalformed;
    private int rxLargestFrame;
    private long txFrames;
    private long txSuperFrames;
    private long txBytes;
    private long txDropped;
    private int lastErrno;

    /**
     * Wraps an opened device; the link owns it from now on and closes it.
     *
     * @param mtu the largest IP packet the link carries (the stack's MTU; the kernel side sets its own)
     * @param mac the stack's MAC address in the low 48 bits, or {@link #RANDOM_MAC}; ignored (0) for TUN
     */
    public TapLink(TunTap device, int mtu, long mac) throws TapException {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("mtu out of range 68..65535: " + mtu);
        }
        this.device = device;
        this.fd = device.fd();
        this.mtu = mtu;
        this.vnet = device.vnetHeader();
        this.largestPlainFrame = mtu + (device.mode() == DeviceMode.TAP ? 14 : 0);
        if (device.mode() == DeviceMode.TUN) {
            this.mac = 0;
        } else {
            this.mac = mac == RANDOM_MAC ? randomLocalMac() : mac & 0xFFFF_FFFF_FFFFL;
        }
        try {
            engineState = LibC.allocateCallState(arena);
            wakeState = LibC.allocateCallState(arena);
            readBuffer = arena.allocate(READ_CAPACITY, 64);
            readAddress = readBuffer.address();
            readView = readBuffer.asByteBuffer();
            scratch = arena.allocate(READ_CAPACITY, 64);
            scratchAddress = scratch.address();
            scratchView = scratch.asByteBuffer();
            VnetHeader.writePlain(scratch, 0); // a copied frame goes at VnetHeader.LENGTH behind it (vnet mode)
            MemorySegment zeroHeader = arena.allocate(VnetHeader.LENGTH, 8);
            VnetHeader.writePlain(zeroHeader, 0);
            iov = arena.allocate(2 * LibC.IOVEC_SIZE, 8);
            iovAddress = iov.address();
            zeroHeaderAddress = zeroHeader.address();
            gsoHeader = arena.allocate(VnetHeader.LENGTH, 8);
            iov.set(ValueLayout.JAVA_LONG, LibC.IOVEC_BASE_OFFSET, zeroHeaderAddress);
            iov.set(ValueLayout.JAVA_LONG, LibC.IOVEC_LEN_OFFSET, VnetHeader.LENGTH);
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            oneAddress = one.address();
            drainAddress = arena.allocate(ValueLayout.JAVA_LONG).address();
            eventFd = LibC.eventfd(engineState, 0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            if (eventFd < 0) {
                int errno = LibC.errno(engineState);
                throw new TapException("eventfd failed: " + TapErrors.describe(errno, LibC.strerror(errno)), errno);
            }
            pollFds = arena.allocate(2 * LibC.POLLFD_SIZE, 8);
            pollFdsAddress = pollFds.address();
            pollFds.set(ValueLayout.JAVA_INT, LibC.POLLFD_FD_OFFSET, fd);
            pollFds.set(LibC.SHORT, LibC.POLLFD_EVENTS_OFFSET, LibC.POLLIN);
            pollFds.set(ValueLayout.JAVA_INT, LibC.POLLFD_SIZE + LibC.POLLFD_FD_OFFSET, eventFd);
            pollFds.set(LibC.SHORT, LibC.POLLFD_SIZE + LibC.POLLFD_EVENTS_OFFSET, LibC.POLLIN);
        } catch (TapException | RuntimeException e) {
            arena.close();
            device.close();
            throw e;
        }
    }

    /** Opens (or creates) TAP device {@code name}: Ethernet framing, MTU 1500, a random MAC. */
    public static TapLink open(String name) throws TapException {
        return open(name, DeviceMode.TAP, DEFAULT_MTU, RANDOM_MAC);
    }

    /** Opens (or creates) a TAP or TUN device with a random MAC (TAP) and the given MTU. */
    public static TapLink open(String name, DeviceMode mode, int mtu) throws TapException {
        return open(name, mode, mtu, RANDOM_MAC);
    }

    /** Opens (or creates) a TAP or TUN device. */
    public static TapLink open(String name, DeviceMode mode, int mtu, long mac) throws TapException {
        return open(name, mode, mtu, mac, TapOptions.PLAIN);
    }

    /** Opens (or creates) a TAP or TUN device with {@code options} (e.g. {@link TapOptions#OFFLOADS}). */
    public static TapLink open(String name, DeviceMode mode, int mtu, long mac, TapOptions options)
            throws TapException {
        return new TapLink(TunTap.open(name, mode, options), mtu, mac);
    }

    /** A random unicast, locally administered MAC (first octet xxxxxx10). */
    public static long randomLocalMac() {
        long bits = ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL;
        return (bits & ~(0x01L << 40)) | (0x02L << 40);
    }

    /** The interface name (as the kernel knows it, e.g. for `ip link set NAME ...`). */
    public String name() {
        return device.name();
    }

    public DeviceMode mode() {
        return device.mode();
    }

    @Override
    public Framing framing() {
        return device.mode().framing();
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public long macAddress() {
        return mac;
    }

    @Override
    public boolean isUp() {
        return !closed && fatalErrno == 0;
    }

    @Override
    public int receive(FrameSink sink, int budget) {
        if (budget <= 0 || !enter()) {
            return 0;
        }
        int delivered = 0;
        int malformed = 0;
        try {
            while (delivered + malformed < budget) {
                long n = LibC.read(engineState, fd, readAddress, READ_CAPACITY);
                if (n <= 0) {
                    if (n == 0) {
                        break;
                    }
                    int errno = LibC.errno(engineState);
                    if (errno == LibC.EINTR) {
                        continue;
                    }
                    if (errno != LibC.EAGAIN) {
                        failed(errno);
                    }
                    break;
                }
                int start = 0;
                ChecksumState checksum = ChecksumState.NONE;
                if (vnet) {
                    if (n < VnetHeader.LENGTH || header.read(readBuffer, 0).problem((int) n - VnetHeader.LENGTH)
                            != null) {
                        rxMalformed++;
                        malformed++;
                        continue;
                    }
                    start = VnetHeader.LENGTH;
                    checksum = header.checksumState();
                    countOffloads(checksum);
                }
                int length = (int) n - start;
                ByteBuf frame = allocator.directBuffer(length, length);
                readView.clear().limit((int) n).position(start);
                frame.writeBytes(readView);
                rxFrames++;
                rxBytes += length;
                if (length > largestPlainFrame) {
                    rxSuperFrames++;
                }
                rxLargestFrame = Math.max(rxLargestFrame, length);
                delivered++;
                try {
                    sink.onFrame(frame, checksum);
                } finally {
                    frame.release();
                }
            }
        } finally {
            exit();
        }
        return delivered;
    }

    private void countOffloads(ChecksumState checksum) {
        if (header.isGso()) {
            rxGsoFrames++;
        }
        if (checksum == ChecksumState.PARTIAL) {
            rxPartialChecksum++;
        }
    }

    @Override
    public boolean transmit(ByteBuf frame) {
        try {
            if (!enter()) {
                txDropped++;
                return false;
            }
            try {
                return write(frame, false);
            } finally {
                exit();
            }
        } finally {
            frame.release();
        }
    }

    /**
     * TCP segmentation offload (vnet mode): the IPv4 TCP super-segment leaves as one frame behind a virtio-net header
     * asking the kernel for NEEDS_CSUM (from the TCP header on) and GSO_TCPV4 with {@code gsoSize}, as a guest's
     * virtio-net driver sends it (virtio spec 1.x 5.1.6.2). Without the vnet header it is cut in software.
     */
    @Override
    public boolean tcpSegmentationOffload() {
        return vnet;
    }

    @Override
    public boolean transmitTcpSegments(ByteBuf frame, int gsoSize) {
        if (!vnet) {
            return Link.super.transmitTcpSegments(frame, gsoSize);
        }
        try {
            if (!enter()) {
                txDropped++;
                return false;
            }
            try {
                int l3 = framing() == Framing.ETHERNET ? EthernetFrame.HEADER_LENGTH : 0;
                int ip = frame.readerIndex() + l3;
                int csumStart = l3 + (frame.getUnsignedByte(ip) & 0x0f) * 4;
                int hdrLen = csumStart
                        + (frame.getUnsignedByte(frame.readerIndex() + csumStart + TcpSegment.DATA_OFFSET_OFFSET) >>> 4) * 4;
                VnetHeader.write(gsoHeader, 0, VnetHeader.F_NEEDS_CSUM, VnetHeader.GSO_TCPV4, hdrLen, gsoSize,
                        csumStart, TcpSegment.CHECKSUM_OFFSET);
                txSuperFrames++;
                return write(frame, true);
            } finally {
                if (!frame.hasMemoryAddress()) {
                    VnetHeader.writePlain(scratch, 0);
                }
                exit();
            }
        } finally {
            frame.release();
        }
    }

    private boolean write(ByteBuf frame, boolean gso) {
        int length = frame.readableBytes();
        int prefix = vnet ? VnetHeader.LENGTH : 0;
        long address;
        boolean gather = false;
        if (frame.hasMemoryAddress()) {
            address = frame.memoryAddress() + frame.readerIndex();
            if (vnet) {
                iov.set(ValueLayout.JAVA_LONG, LibC.IOVEC_BASE_OFFSET, gso ? gsoHeader.address() : zeroHeaderAddress);
                iov.set(ValueLayout.JAVA_LONG, LibC.IOVEC_SIZE + LibC.IOVEC_BASE_OFFSET, address);
                iov.set(ValueLayout.JAVA_LONG, LibC.IOVEC_SIZE + LibC.IOVEC_LEN_OFFSET, length);
                gather = true;
            }
        } else if (length + prefix <= READ_CAPACITY) {
            // behind the zero header written once at construction in vnet mode (a GSO header only for this frame)
            if (gso) {
                MemorySegment.copy(gsoHeader, 0, scratch, 0, prefix); // put back to zero by transmitTcpSegments
            }
            scratchView.clear().limit(prefix + length).position(prefix);
            frame.getBytes(frame.readerIndex(), scratchView);
            address = scratchAddress;
            length += prefix;
        } else {
            txDropped++;
            return false;
        }
        for (;;) {
            long n = gather ? LibC.writev(engineState, fd, iovAddress, 2)
                    : LibC.write(engineState, fd, address, length);
            if (n >= 0) {
                txFrames++;
                txBytes += frame.readableBytes();
                return true;
            }
            int errno = LibC.errno(engineState);
            if (errno == LibC.EINTR) {
                continue;
            }
            // EAGAIN/ENOBUFS: no room now; EIO: the interface is administratively down; EINVAL: a bad frame.
            if (errno == LibC.EBADFD || errno == LibC.EBADF || errno == LibC.ENODEV) {
                failed(errno);
            }
            lastErrno = errno;
            txDropped++;
            return false;
        }
    }

    @Override
    public void await(long timeoutNanos) {
        if (timeoutNanos <= 0 || !enter()) {
            return;
        }
        try {
            int millis = timeoutNanos >= MAX_AWAIT_NANOS
                    ? (int) TimeUnit.NANOSECONDS.toMillis(MAX_AWAIT_NANOS)
                    : (int) ((timeoutNanos + 999_999) / 1_000_000);
            pollFds.set(LibC.SHORT, LibC.POLLFD_REVENTS_OFFSET, (short) 0);
            pollFds.set(LibC.SHORT, LibC.POLLFD_SIZE + LibC.POLLFD_REVENTS_OFFSET, (short) 0);
            int ready = LibC.poll(engineState, pollFdsAddress, 2, millis);
            // Clear before draining: a wakeup() after this point writes the eventfd again (see the file comment).
            wakePending.getAndSet(false);
            if (ready > 0 && (pollFds.get(LibC.SHORT, LibC.POLLFD_SIZE + LibC.POLLFD_REVENTS_OFFSET)
                    & LibC.POLLIN) != 0) {
                LibC.read(engineState, eventFd, drainAddress, 8);
            }
        } finally {
            exit();
        }
    }

    @Override
    public void wakeup() {
        if (closed || wakePending.getAndSet(true)) {
            return;
        }
        signal();
    }

    private void signal() {
        synchronized (wakeLock) {
            if (eventFdOpen) {
                LibC.write(wakeState, eventFd, oneAddress, 8);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        signal();
        if (engineInside == Thread.currentThread()) {
            return; // called from a sink on the engine thread: exit() releases on the way out
        }
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        while (engineInside != null) {
            if (System.nanoTime() - deadline > 0) {
                return; // the engine thread is busy in a sink; it releases when it leaves the call
            }
            LockSupport.parkNanos(50_000);
        }
        release();
    }

    private boolean enter() {
        if (depth++ == 0) {
            engineInside = Thread.currentThread();
        }
        if (closed) {
            exit();
            return false;
        }
        return true;
    }

    private void exit() {
        if (--depth == 0) {
            engineInside = null;
            if (closed) {
                release();
            }
        }
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        synchronized (wakeLock) {
            eventFdOpen = false;
            LibC.close(wakeState, eventFd);
        }
        device.close();
        arena.close();
    }

    private void failed(int errno) {
        lastErrno = errno;
        fatalErrno = errno;
    }

    /** Frames handed to sinks. Engine-thread counters: other threads see a possibly stale value. */
    public long rxFrames() {
        return rxFrames;
    }

    public long rxBytes() {
        return rxBytes;
    }

    /** True when the link was opened with offloads (every frame carries a virtio-net header). */
    public boolean offloads() {
        return vnet;
    }

    /** Received frames longer than the MTU plus the link header (super-frames; only with offloads). */
    public long rxSuperFrames() {
        return rxSuperFrames;
    }

    /** Received frames whose virtio-net header said GSO (a TCP segment the kernel did not cut to the MSS). */
    public long rxGsoFrames() {
        return rxGsoFrames;
    }

    /** Received frames whose transport checksum was partial (VIRTIO_NET_HDR_F_NEEDS_CSUM). */
    public long rxPartialChecksum() {
        return rxPartialChecksum;
    }

    /** Frames dropped for a virtio-net header that does not fit the frame or asks for what was not negotiated. */
    public long rxMalformed() {
        return rxMalformed;
    }

    /** The longest frame received so far (without the virtio-net header). */
    public int rxLargestFrame() {
        return rxLargestFrame;
    }

    /** Frames the device accepted. */
    /** TCP super-segments written for the kernel to cut (segmentation offload); each is also one of txFrames. */
    public long txSuperFrames() {
        return txSuperFrames;
    }

    public long txFrames() {
        return txFrames;
    }

    public long txBytes() {
        return txBytes;
    }

    /** Frames dropped by transmit (device refused them, link closed or failed). */
    public long txDropped() {
        return txDropped;
    }

    /** errno of the last failed read or write (0 if none), e.g. EIO when writing while the interface is down. */
    public int lastErrno() {
        return lastErrno;
    }

    @Override
    public String toString() {
        return "TapLink[" + device.name() + " " + device.mode() + " mtu " + mtu + (vnet ? " offloads" : "")
                + (isUp() ? " up" : " down") + "]";
    }
}
