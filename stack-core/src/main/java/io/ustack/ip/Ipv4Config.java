/*
 * Ipv4Config: the address plan of one IPv4 interface (RFC 1122 3.3.1): address, prefix, optional default gateway,
 * and the next-hop choice that follows from them; and the interface's reassembly limits (RFC 791 3.2).
 */
package io.ustack.ip;

import io.ustack.wire.Ipv4Address;

/** An interface address with its prefix, a default gateway (0 = none) and reassembly limits. Immutable. */
public record Ipv4Config(int address, int prefixLength, int gateway, ReassemblyConfig reassembly) {

    /** With the default reassembly limits ({@link ReassemblyConfig#DEFAULT}). */
    public Ipv4Config(int address, int prefixLength, int gateway) {
        this(address, prefixLength, gateway, ReassemblyConfig.DEFAULT);
    }

    public Ipv4Config {
        if (reassembly == null) {
            throw new IllegalArgumentException("reassembly limits are required (ReassemblyConfig.DEFAULT)");
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("IPv4 prefix length must be 0..32, was " + prefixLength);
        }
        if (address == 0 || Ipv4Address.isMulticast(address) || Ipv4Address.isBroadcast(address)) {
            throw new IllegalArgumentException("not a unicast interface address: " + Ipv4Address.toString(address));
        }
        if (gateway != 0 && ((gateway ^ address) & Ipv4Address.prefixMask(prefixLength)) != 0) {
            throw new IllegalArgumentException("gateway " + Ipv4Address.toString(gateway) + " is not on the subnet "
                    + Ipv4Address.toString(address) + "/" + prefixLength);
        }
    }

    /** Parses "A.B.C.D/N" and an optional gateway ("" or null for none). */
    public static Ipv4Config parse(String cidr, String gateway) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected A.B.C.D/N, got '" + cidr + "'");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
        }
        int gw = gateway == null || gateway.isEmpty() ? 0 : Ipv4Address.parse(gateway);
        return new Ipv4Config(Ipv4Address.parse(cidr.substring(0, slash)), prefix, gw);
    }

    /** This configuration with other reassembly limits. */
    public Ipv4Config withReassembly(ReassemblyConfig limits) {
        return new Ipv4Config(address, prefixLength, gateway, limits);
    }

    public int mask() {
        return Ipv4Address.prefixMask(prefixLength);
    }

    /** True if {@code ip} is on the directly attached subnet. */
    public boolean isOnLink(int ip) {
        return ((ip ^ address) & mask()) == 0;
    }

    /** The subnet's directed broadcast address (none for /31 and /32). */
    public int subnetBroadcast() {
        return prefixLength >= 31 ? 0 : address | ~mask();
    }

    /** True if a packet to {@code dst} is for this host (own address, limited or subnet broadcast). */
    public boolean accepts(int dst) {
        return dst == address || Ipv4Address.isBroadcast(dst) || (dst != 0 && dst == subnetBroadcast());
    }

    /** True if {@code ip} is a broadcast or multicast destination (never answered with ICMP errors). */
    public boolean isBroadcastOrMulticast(int ip) {
        return Ipv4Address.isBroadcast(ip) || Ipv4Address.isMulticast(ip) || (ip != 0 && ip == subnetBroadcast());
    }

    /** The next hop for {@code dst}: itself when on-link, else the gateway; 0 if unreachable. */
    public int nextHop(int dst) {
        if (isOnLink(dst) || Ipv4Address.isBroadcast(dst)) {
            return dst;
        }
        return gateway;
    }

    @Override
    public String toString() {
        return Ipv4Address.toString(address) + "/" + prefixLength
                + (gateway != 0 ? " via " + Ipv4Address.toString(gateway) : "");
    }
}
