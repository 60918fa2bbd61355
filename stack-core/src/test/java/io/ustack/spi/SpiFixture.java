/*
 * SpiFixture: a started base provider over a real BudgetBackend (byte budget + link switch) for the SPI tests.
 */
package io.ustack.spi;

import java.util.concurrent.atomic.AtomicBoolean;

/** Catalog + budget + backend + base provider, started once (WSPStartup 2.2 on the TCP/IPv4 entry). */
final class SpiFixture {
    static final int STREAM_BYTES = 64 * 1024;
    static final int DATAGRAM_BYTES = 16 * 1024;
    static final int RAW_BYTES = 8 * 1024;

    final ProtocolCatalog catalog = new ProtocolCatalog();
    final AtomicBoolean linkUp = new AtomicBoolean(true);
    final BufferBudget budget;
    final BudgetBackend backend;
    final BaseProvider provider;
    final ErrnoRef errno = new ErrnoRef();

    SpiFixture() {
        this(64, 1L << 30);
    }

    SpiFixture(int maxSockets, long budgetBytes) {
        this(maxSockets, budgetBytes, true);
    }

    SpiFixture(int maxSockets, long budgetBytes, boolean start) {
        budget = new BufferBudget(budgetBytes);
        backend = new BudgetBackend(budget, STREAM_BYTES, DATAGRAM_BYTES, RAW_BYTES, linkUp::get);
        provider = new BaseProvider(catalog, backend, maxSockets);
        if (start && provider.wspStartup(Winsock.WINSOCK_VERSION_2_2, new WspData(), tcp4()) != 0) {
            throw new AssertionError("startup failed");
        }
    }

    ProtocolInfo tcp4() {
        return find("ustack TCP/IP");
    }

    ProtocolInfo udp4() {
        return find("ustack UDP/IP");
    }

    ProtocolInfo raw4() {
        return find("ustack RAW/IP");
    }

    ProtocolInfo tcp6() {
        return find("ustack TCP/IPv6");
    }

    ProtocolInfo udp6() {
        return find("ustack UDP/IPv6");
    }

    ProtocolInfo raw6() {
        return find("ustack RAW/IPv6");
    }

    ProtocolInfo multicast4() {
        return find("ustack UDP/IP multicast");
    }

    ProtocolInfo find(String name) {
        for (ProtocolInfo e : catalog.entries()) {
            if (e.protocolName().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no entry " + name);
    }

    /** WSPSocket on the base provider with the fixture's errno. */
    int socket(int af, int type, int protocol, ProtocolInfo info, int g, int flags) {
        return provider.wspSocket(af, type, protocol, info, g, flags, errno);
    }

    int close(int s) {
        return provider.wspCloseSocket(s, errno);
    }
}
