/*
 * PortTable: the local TCP ports held by provider sockets (bound, listening or connected), so that WSPBind can refuse
 * an address in use with WSAEADDRINUSE (unless SO_REUSEADDR) and pick a free ephemeral port for port 0 (RFC 6335 6:
 * 49152-65535). Engine thread only.
 */
package io.ustack.spi.stack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Who holds which TCP port. */
final class PortTable {
    static final int EPHEMERAL_FIRST = 49152;
    static final int EPHEMERAL_LAST = 65535;

    private record Holder(EngineSocket socket, int ip) {
    }

    private final Map<Integer, List<Holder>> ports = new HashMap<>();
    private int next = EPHEMERAL_FIRST;

    /** True if another holder of {@code port} overlaps {@code ip} (either is INADDR_ANY, or both are equal). */
    boolean inUse(EngineSocket self, int ip, int port) {
        List<Holder> hs = ports.get(port);
        if (hs != null) {
            for (Holder h : hs) {
                if (h.socket != self && (h.ip == 0 || ip == 0 || h.ip == ip)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Takes {@code ip:port} for {@code socket}; port 0 takes a free ephemeral port.
     *
     * @return the port, or -1 if it is in use (and {@code reuse} is off) or no ephemeral port is free
     */
    int take(EngineSocket socket, int ip, int port, boolean reuse) {
        if (port == 0) {
            for (int i = 0; i <= EPHEMERAL_LAST - EPHEMERAL_FIRST; i++) {
                int p = next;
                next = p == EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
                if (!ports.containsKey(p)) {
                    add(socket, ip, p);
                    return p;
                }
            }
            return -1;
        }
        if (!reuse && inUse(socket, ip, port)) {
            return -1;
        }
        add(socket, ip, port);
        return port;
    }

    /** Records a port the engine chose (a connection's ephemeral port). */
    void add(EngineSocket socket, int ip, int port) {
        ports.computeIfAbsent(port, k -> new ArrayList<>(1)).add(new Holder(socket, ip));
    }

    void remove(EngineSocket socket, int port) {
        List<Holder> hs = ports.get(port);
        if (hs != null) {
            hs.removeIf(h -> h.socket == socket);
            if (hs.isEmpty()) {
                ports.remove(port);
            }
        }
    }
}
