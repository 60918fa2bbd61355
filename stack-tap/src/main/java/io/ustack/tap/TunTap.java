/*
 * TunTap: opens a Linux TAP or TUN device through /dev/net/tun (Documentation/networking/tuntap.rst) with the FFM
 * API: open(O_RDWR|O_NONBLOCK|O_CLOEXEC), ioctl(TUNSETIFF, {name, IFF_TAP|IFF_NO_PI}), then ioctl(TUNSETOFFLOAD, 0)
 * because a persistent device keeps the offload setting of its last user, and offloads would hand us frames larger
 * than the MTU with partial checksums.
 *
 * With offloads (TapOptions): TUNSETIFF also sets IFF_VNET_HDR, then TUNSETVNETHDRSZ 12 (the virtio 1.x header, see
 * VnetHeader for why not the legacy 10), TUNSETVNETLE 1 (the header is little-endian, as virtio 1.x defines it, on
 * any host) and TUNSETOFFLOAD TUN_F_CSUM|TUN_F_TSO4|TUN_F_TSO6|TUN_F_TSO_ECN: the kernel may then hand us frames with
 * a partial checksum and TCP super-frames of up to 64 KiB (with ECN's CWR possibly set on one: harmless, it is the
 * same signal on one segment). UDP segmentation (TUN_F_USO4/6, TUN_F_UFO) is not asked for.
 */
package io.ustack.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** An open, attached TAP/TUN file descriptor. Reading and writing it is {@link TapLink}'s job. */
public final class TunTap implements AutoCloseable {
    /** The control device every tun/tap open goes through. */
    public static final String CONTROL_DEVICE = "/dev/net/tun";
    /** IFNAMSIZ - 1: the longest interface name Linux accepts. */
    public static final int MAX_NAME_LENGTH = 15;

    // linux/if_tun.h
    static final short IFF_NO_PI = 0x1000;
    static final long TUNSETIFF = 0x400454caL;      // _IOW('T', 202, int)
    static final long TUNSETOFFLOAD = 0x400454d0L;  // _IOW('T', 208, unsigned int)
    static final long TUNSETVNETHDRSZ = 0x400454d8L; // _IOW('T', 216, int)
    static final long TUNSETVNETLE = 0x400454dcL;    // _IOW('T', 220, int)
    static final short IFF_VNET_HDR = 0x4000;
    static final long TUN_F_CSUM = 0x01;
    static final long TUN_F_TSO4 = 0x02;
    static final long TUN_F_TSO6 = 0x04;
    static final long TUN_F_TSO_ECN = 0x08;
    /** The offloads of {@link TapOptions#OFFLOADS}. */
    static final long RECEIVE_OFFLOADS = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    // struct ifreq: char ifr_name[IFNAMSIZ]; union { short ifr_flags; ... } (40 bytes in all on LP64)
    static final int IFREQ_SIZE = 40;
    static final int IFREQ_NAME_OFFSET = 0;
    static final int IFREQ_FLAGS_OFFSET = 16;

    private final int fd;
    private final String name;
    private final DeviceMode mode;
    private final boolean vnetHeader;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TunTap(int fd, String name, DeviceMode mode, boolean vnetHeader) {
        this.fd = fd;
        this.name = name;
        this.mode = mode;
        this.vnetHeader = vnetHeader;
    }

    /**
     * Opens {@code name} (creating a non-persistent device if none exists, attaching to it if one does).
     *
     * @throws TapException with the reason and the fix (missing CAP_NET_ADMIN, no tun driver, device busy...)
     */
    public static TunTap open(String name, DeviceMode mode) throws TapException {
        return open(name, mode, TapOptions.PLAIN);
    }

    /**
     * As {@link #open(String, DeviceMode)}; with {@link TapOptions#offloads()} every frame read or written carries a
     * {@link VnetHeader} and the kernel may send super-frames (see the file comment).
     */
    public static TunTap open(String name, DeviceMode mode, TapOptions options) throws TapException {
        checkName(name);
        boolean offloads = options.offloads();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.allocateCallState(arena);
            int fd = LibC.open(state, arena.allocateFrom(CONTROL_DEVICE),
                    LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
            if (fd < 0) {
                int errno = LibC.errno(state);
                throw new TapException(TapErrors.cannotOpenControlDevice(CONTROL_DEVICE, errno,
                        LibC.strerror(errno), currentUser()), errno);
            }
            try {
                MemorySegment ifreq = arena.allocate(IFREQ_SIZE, 8);
                byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, IFREQ_NAME_OFFSET, nameBytes.length);
                short flags = (short) (mode.iffFlag | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0));
                ifreq.set(ValueLayout.JAVA_SHORT, IFREQ_FLAGS_OFFSET, flags);
                if (LibC.ioctl(state, fd, TUNSETIFF, ifreq) < 0) {
                    int errno = LibC.errno(state);
                    String message = errno == LibC.EPERM
                            ? TapErrors.missingNetAdmin(name, mode, currentUser(), javaBinary().orElse(null))
                            : TapErrors.cannotAttach(name, mode, errno, LibC.strerror(errno));
                    throw new TapException(message, errno);
                }
                String actualName = ifreq.getString(IFREQ_NAME_OFFSET, StandardCharsets.US_ASCII);
                if (offloads) {
                    MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
                    value.set(ValueLayout.JAVA_INT, 0, VnetHeader.LENGTH);
                    check(state, LibC.ioctl(state, fd, TUNSETVNETHDRSZ, value), "TUNSETVNETHDRSZ 12", actualName);
                    value.set(ValueLayout.JAVA_INT, 0, 1);
                    check(state, LibC.ioctl(state, fd, TUNSETVNETLE, value), "TUNSETVNETLE 1", actualName);
                }
                long offloadFlags = offloads ? RECEIVE_OFFLOADS : 0L;
                check(state, LibC.ioctl(state, fd, TUNSETOFFLOAD, offloadFlags),
                        offloads ? "TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN" : "reset offloads (TUNSETOFFLOAD 0)",
                        actualName);
                TunTap device = new TunTap(fd, actualName, mode, offloads);
                fd = -1;
                return device;
            } finally {
                if (fd >= 0) {
                    LibC.close(state, fd);
                }
            }
        }
    }

    private static void check(MemorySegment state, int result, String what, String device) throws TapException {
        if (result < 0) {
            int errno = LibC.errno(state);
            throw new TapException("Cannot " + what + " on '" + device + "': "
                    + TapErrors.describe(errno, LibC.strerror(errno)), errno);
        }
    }

    /** Rejects names the kernel would refuse or truncate, before any system call. */
    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("an interface name has 1 to " + MAX_NAME_LENGTH + " characters: '"
                    + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
                throw new IllegalArgumentException("an interface name has no spaces, '/', ':' or non-ASCII: '"
                        + name + "'");
            }
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not an interface name: '" + name + "'");
        }
    }

    /** The interface name the kernel gave (equal to the requested one unless it held a %d pattern). */
    public String name() {
        return name;
    }

    public DeviceMode mode() {
        return mode;
    }

    /** True when every frame read and written starts with a {@link VnetHeader} (opened with offloads). */
    public boolean vnetHeader() {
        return vnetHeader;
    }

    /** The file descriptor; closed by whoever owns this device (the {@link TapLink}). */
    public int fd() {
        return fd;
    }

    private static String currentUser() {
        return System.getProperty("user.name", "");
    }

    private static Optional<String> javaBinary() {
        return ProcessHandle.current().info().command();
    }

    /**
     * Closes the descriptor once. A non-persistent device disappears with its last descriptor; a persistent one
     * (`ip tuntap add`) stays. The caller must make sure no other thread is in a call on {@link #fd()}.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try (Arena arena = Arena.ofConfined()) {
                LibC.close(LibC.allocateCallState(arena), fd);
            }
        }
    }
}
