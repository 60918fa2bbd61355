/*
 * RecordingProvider: a pass-through ServiceProvider for the propagation tests. It forwards every call to a real
 * provider unchanged and records the WSAPROTOCOL_INFO each call received (and what duplicate returned), so a test
 * can see exactly what a layer handed to the next one. It produces no results of its own.
 */
package io.ustack.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records (function, info) pairs and delegates. */
final class RecordingProvider implements ServiceProvider {
    record Call(String function, ProtocolInfo info) {
    }

    private final ServiceProvider target;
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

    RecordingProvider(ServiceProvider target) {
        this.target = target;
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    List<Call> calls(String function) {
        return calls().stream().filter(c -> c.function().equals(function)).toList();
    }

    /** The info received by the last call of {@code function}. */
    ProtocolInfo lastInfo(String function) {
        List<Call> cs = calls(function);
        if (cs.isEmpty()) {
            throw new AssertionError("no call of " + function);
        }
        return cs.getLast().info();
    }

    void clear() {
        calls.clear();
    }

    @Override
    public int wspStartup(int versionRequested, WspData wspData, ProtocolInfo protocolInfo) {
        calls.add(new Call("WSPStartup", protocolInfo));
        return target.wspStartup(versionRequested, wspData, protocolInfo);
    }

    @Override
    public int wspCleanup(ErrnoRef errno) {
        calls.add(new Call("WSPCleanup", null));
        return target.wspCleanup(errno);
    }

    @Override
    public int wspSocket(int af, int type, int protocol, ProtocolInfo protocolInfo, int g, int flags,
            ErrnoRef errno) {
        calls.add(new Call("WSPSocket", protocolInfo));
        return target.wspSocket(af, type, protocol, protocolInfo, g, flags, errno);
    }

    @Override
    public int wspCloseSocket(int s, ErrnoRef errno) {
        calls.add(new Call("WSPCloseSocket", null));
        return target.wspCloseSocket(s, errno);
    }

    @Override
    public ProtocolInfo wspDuplicateSocket(int s, long processId, ErrnoRef errno) {
        ProtocolInfo out = target.wspDuplicateSocket(s, processId, errno);
        calls.add(new Call("WSPDuplicateSocket", out));
        return out;
    }

    @Override
    public int wspAddressToString(byte[] address, int addressLength, ProtocolInfo protocolInfo,
            char[] addressString, IntRef addressStringLength, ErrnoRef errno) {
        calls.add(new Call("WSPAddressToString", protocolInfo));
        return target.wspAddressToString(address, addressLength, protocolInfo, addressString, addressStringLength,
                errno);
    }

    @Override
    public int wspStringToAddress(String addressString, int addressFamily, ProtocolInfo protocolInfo,
            byte[] address, IntRef addressLength, ErrnoRef errno) {
        calls.add(new Call("WSPStringToAddress", protocolInfo));
        return target.wspStringToAddress(addressString, addressFamily, protocolInfo, address, addressLength, errno);
    }
}
