/*
 * LayerSocket: what a layered provider keeps per descriptor it hands out: the descriptor of the next provider it
 * maps to, the protocol chain entry it was created through, the effective family/type/protocol, and the layer's
 * own per-socket state (the attachment).
 */
package io.ustack.spi;

/** A layered provider's socket: its own descriptor maps to {@link #lower()} of the next provider. */
public final class LayerSocket {
    private final int lower;
    private final ProtocolInfo info;
    private final int addressFamily;
    private final int socketType;
    private final int protocol;
    private final Object attachment;

    LayerSocket(int lower, ProtocolInfo info, int addressFamily, int socketType, int protocol, Object attachment) {
        this.lower = lower;
        this.info = info;
        this.addressFamily = addressFamily;
        this.socketType = socketType;
        this.protocol = protocol;
        this.attachment = attachment;
    }

    /** The next provider's descriptor. */
    public int lower() {
        return lower;
    }

    /** The protocol chain entry (without a share token). */
    public ProtocolInfo protocolInfo() {
        return info;
    }

    public int addressFamily() {
        return addressFamily;
    }

    public int socketType() {
        return socketType;
    }

    /** The effective protocol (0 and FROM_PROTOCOL_INFO resolved). */
    public int protocol() {
        return protocol;
    }

    /** The layer's per-socket state ({@link LayeredProvider#attach}). */
    public Object attachment() {
        return attachment;
    }

    @Override
    public String toString() {
        return "LayerSocket[lower=" + lower + " " + info + "]";
    }
}
