/*
 * RecordingProvider: a pass-through ServiceProvider for the propagation tests. It forwards every call to a real
 * provider unchanged and records the WSAPROTOCOL_INFO each call received (and what duplicate returned), so a test
 * can see exactly what a layer handed to the next one. It produces no results of its own.
 */
package io.ustack.spi;

import java.nio.ByteBuffer;
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

    // Data functions: recorded by name (they carry no WSAPROTOCOL_INFO) and passed through.

    @Override
    public int wspBind(int s, byte[] name, int nameLength, ErrnoRef errno) {
        calls.add(new Call("WSPBind", null));
        return target.wspBind(s, name, nameLength, errno);
    }

    @Override
    public int wspListen(int s, int backlog, ErrnoRef errno) {
        calls.add(new Call("WSPListen", null));
        return target.wspListen(s, backlog, errno);
    }

    @Override
    public int wspAccept(int s, byte[] address, IntRef addressLength, AcceptCondition condition, ErrnoRef errno) {
        calls.add(new Call("WSPAccept", null));
        return target.wspAccept(s, address, addressLength, condition, errno);
    }

    @Override
    public int wspConnect(int s, byte[] name, int nameLength, ErrnoRef errno) {
        calls.add(new Call("WSPConnect", null));
        return target.wspConnect(s, name, nameLength, errno);
    }

    @Override
    public int wspSend(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags,
            Overlapped overlapped, ErrnoRef errno) {
        calls.add(new Call("WSPSend", null));
        return target.wspSend(s, buffers, bufferCount, bytesSent, flags, overlapped, errno);
    }

    @Override
    public int wspSendTo(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, byte[] to,
            int toLength, Overlapped overlapped, ErrnoRef errno) {
        calls.add(new Call("WSPSendTo", null));
        return target.wspSendTo(s, buffers, bufferCount, bytesSent, flags, to, toLength, overlapped, errno);
    }

    @Override
    public int wspRecv(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            Overlapped overlapped, ErrnoRef errno) {
        calls.add(new Call("WSPRecv", null));
        return target.wspRecv(s, buffers, bufferCount, bytesReceived, flags, overlapped, errno);
    }

    @Override
    public int wspRecvFrom(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesReceived, IntRef flags,
            byte[] from, IntRef fromLength, Overlapped overlapped, ErrnoRef errno) {
        calls.add(new Call("WSPRecvFrom", null));
        return target.wspRecvFrom(s, buffers, bufferCount, bytesReceived, flags, from, fromLength, overlapped,
                errno);
    }

    @Override
    public int wspShutdown(int s, int how, ErrnoRef errno) {
        calls.add(new Call("WSPShutdown", null));
        return target.wspShutdown(s, how, errno);
    }

    @Override
    public int wspGetSockName(int s, byte[] name, IntRef nameLength, ErrnoRef errno) {
        calls.add(new Call("WSPGetSockName", null));
        return target.wspGetSockName(s, name, nameLength, errno);
    }

    @Override
    public int wspGetPeerName(int s, byte[] name, IntRef nameLength, ErrnoRef errno) {
        calls.add(new Call("WSPGetPeerName", null));
        return target.wspGetPeerName(s, name, nameLength, errno);
    }

    @Override
    public int wspGetSockOpt(int s, int level, int optName, byte[] optVal, IntRef optLength, ErrnoRef errno) {
        calls.add(new Call("WSPGetSockOpt", null));
        return target.wspGetSockOpt(s, level, optName, optVal, optLength, errno);
    }

    @Override
    public int wspSetSockOpt(int s, int level, int optName, byte[] optVal, int optLength, ErrnoRef errno) {
        calls.add(new Call("WSPSetSockOpt", null));
        return target.wspSetSockOpt(s, level, optName, optVal, optLength, errno);
    }

    @Override
    public int wspIoctl(int s, int ioControlCode, byte[] inBuffer, int inBufferLength, byte[] outBuffer,
            int outBufferLength, IntRef bytesReturned, Overlapped overlapped, ErrnoRef errno) {
        calls.add(new Call("WSPIoctl", null));
        return target.wspIoctl(s, ioControlCode, inBuffer, inBufferLength, outBuffer, outBufferLength, bytesReturned,
                overlapped, errno);
    }

    @Override
    public int wspJoinLeaf(int s, byte[] name, int nameLength, int flags, ErrnoRef errno) {
        calls.add(new Call("WSPJoinLeaf", null));
        return target.wspJoinLeaf(s, name, nameLength, flags, errno);
    }

    @Override
    public boolean wspGetOverlappedResult(int s, Overlapped overlapped, IntRef transferred, boolean wait,
            IntRef flags, ErrnoRef errno) {
        calls.add(new Call("WSPGetOverlappedResult", null));
        return target.wspGetOverlappedResult(s, overlapped, transferred, wait, flags, errno);
    }
}
