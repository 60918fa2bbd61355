/*
 * TapErrors: the text of TAP/TUN failures. Pure functions of (what failed, errno, device, user, java binary), so the
 * advice a user sees without CAP_NET_ADMIN can be tested without dropping privileges.
 */
package io.ustack.tap;

/** Builds the messages of {@link TapException}s. No I/O, no system state: everything comes in as arguments. */
public final class TapErrors {
    private TapErrors() {
    }

    /** The symbolic name of the errno values a TAP open can meet ("EPERM"), else "errno N". */
    public static String errnoName(int errno) {
        return switch (errno) {
            case LibC.EPERM -> "EPERM";
            case LibC.ENOENT -> "ENOENT";
            case LibC.EINTR -> "EINTR";
            case LibC.EIO -> "EIO";
            case LibC.EBADF -> "EBADF";
            case LibC.EAGAIN -> "EAGAIN";
            case LibC.ENOMEM -> "ENOMEM";
            case LibC.EACCES -> "EACCES";
            case LibC.EBUSY -> "EBUSY";
            case LibC.ENODEV -> "ENODEV";
            case LibC.EINVAL -> "EINVAL";
            case LibC.EBADFD -> "EBADFD";
            case LibC.ENOBUFS -> "ENOBUFS";
            default -> "errno " + errno;
        };
    }

    /** "Operation not permitted (EPERM)". */
    public static String describe(int errno, String strerror) {
        return strerror + " (" + errnoName(errno) + ")";
    }

    /**
     * The message for TUNSETIFF failing with EPERM: the process lacks CAP_NET_ADMIN. Names the three fixes with
     * commands ready to paste.
     *
     * @param device     the interface name asked for
     * @param mode       TAP or TUN
     * @param user       the user the JVM runs as
     * @param javaBinary the java executable (for setcap), or null when unknown
     */
    public static String missingNetAdmin(String device, DeviceMode mode, String user, String javaBinary) {
        String java = javaBinary == null || javaBinary.isEmpty() ? "/path/to/bin/java" : javaBinary;
        String who = user == null || user.isEmpty() ? "$USER" : user;
        return "Cannot attach " + mode.name() + " device '" + device + "': Operation not permitted (EPERM). "
                + "Creating or attaching a " + mode.name() + " device needs the CAP_NET_ADMIN capability, "
                + "which this process (user " + who + ") does not have. Fix it in one of three ways: "
                + "(1) run as root; "
                + "(2) give the java binary the capability: sudo setcap cap_net_admin+ep " + java + " "
                + "(the real file, not a symlink); "
                + "(3) create a persistent device owned by your user once, then open it by name without privileges: "
                + "sudo ip tuntap add dev " + device + " mode " + mode.ipMode() + " user " + who
                + " && sudo ip link set " + device + " up";
    }

    /** The message for open("/dev/net/tun") failing. */
    public static String cannotOpenControlDevice(String path, int errno, String strerror, String user) {
        String head = "Cannot open " + path + ": " + describe(errno, strerror) + ". ";
        return switch (errno) {
            case LibC.ENOENT, LibC.ENODEV -> head + "The kernel's tun driver is not available: load it "
                    + "(sudo modprobe tun), or in a container pass the device in (docker run --device /dev/net/tun "
                    + "--cap-add NET_ADMIN).";
            case LibC.EACCES, LibC.EPERM -> head + "User " + user + " may not open it: run as root, or make it "
                    + "accessible (sudo chmod 0666 " + path + ", the usual mode), then open a device you are "
                    + "allowed to attach (see `ip tuntap add ... user " + user + "`).";
            default -> head;
        };
    }

    /** The message for TUNSETIFF failing with anything other than EPERM. */
    public static String cannotAttach(String device, DeviceMode mode, int errno, String strerror) {
        String head = "Cannot attach " + mode.name() + " device '" + device + "': " + describe(errno, strerror)
                + ". ";
        return switch (errno) {
            case LibC.EBUSY -> head + "Another process already has it open (a device without multi_queue takes "
                    + "one reader), or a different kind of interface owns that name.";
            case LibC.EINVAL -> head + "The device exists with other flags (TAP vs TUN, multi_queue, vnet_hdr) "
                    + "than this open asks for, or the name is not valid.";
            default -> head;
        };
    }
}
