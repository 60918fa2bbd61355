/*
 * Datagram: one received UDP datagram as the idiomatic API returns it.
 */
package io.ustack.api;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** A received datagram: its source and a heap copy of its payload (position 0, limit = length). */
public record Datagram(InetSocketAddress source, ByteBuffer data) {
}
