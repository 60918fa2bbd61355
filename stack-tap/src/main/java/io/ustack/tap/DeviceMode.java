/*
 * DeviceMode: the two kinds of Linux tun/tap device (Documentation/networking/tuntap.rst): TAP carries Ethernet
 * frames, TUN carries bare IP packets. Both are opened with IFF_NO_PI (no 4-byte packet-information prefix).
 */
package io.ustack.tap;

import io.ustack.link.Link;

/** TAP (layer 2, Ethernet frames) or TUN (layer 3, IP packets). */
public enum DeviceMode {
    TAP(0x0002, Link.Framing.ETHERNET, "tap"),
    TUN(0x0001, Link.Framing.IP, "tun");

    /** IFF_TAP or IFF_TUN, for the ifr_flags of TUNSETIFF. */
    final short iffFlag;
    private final Link.Framing framing;
    private final String ipMode;

    DeviceMode(int iffFlag, Link.Framing framing, String ipMode) {
        this.iffFlag = (short) iffFlag;
        this.framing = framing;
        this.ipMode = ipMode;
    }

    public Link.Framing framing() {
        return framing;
    }

    /** The word `ip tuntap add ... mode WORD` uses for this kind. */
    public String ipMode() {
        return ipMode;
    }

    public static DeviceMode of(Link.Framing framing) {
        return framing == Link.Framing.ETHERNET ? TAP : TUN;
    }
}
