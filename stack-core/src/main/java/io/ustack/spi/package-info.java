/*
 * package-info: the Winsock 2 service provider interface of ustack (WSPSocket.txt in the project seed, ws2spi.h),
 * with the map from each seed clause and error code to the test that checks it.
 */

/**
 * The Winsock 2 SPI: {@link io.ustack.spi.ServiceProvider} (the WSP functions in Winsock shape), the base provider
 * {@link io.ustack.spi.BaseProvider}, layered providers ({@link io.ustack.spi.LayeredProvider},
 * {@link io.ustack.spi.CountingLayer}, {@link io.ustack.spi.PolicyLayer}), the catalog
 * ({@link io.ustack.spi.ProtocolCatalog}, {@link io.ustack.spi.ProtocolInfo}) and the lock-free
 * {@link io.ustack.spi.DescriptorTable}; the data functions reach the engine through
 * {@link io.ustack.spi.SocketBackend}, implemented over a stack by {@code io.ustack.spi.stack.StackBackend}.
 * Constants use Winsock's numeric values ({@link io.ustack.spi.Winsock},
 * {@link io.ustack.spi.ServiceFlags}, {@link io.ustack.spi.SocketOptions}, {@link io.ustack.spi.WsaError}).
 *
 * <h2>Seed clauses (WSPSocket.txt) and their tests</h2>
 * <table>
 * <caption>WSPSocket</caption>
 * <tr><th>Clause</th><th>Test</th></tr>
 * <tr><td>returns a descriptor referencing the new socket</td>
 * <td>WspSocketTest.wspSocket_returnsDescriptorReferencingNewSocket</td></tr>
 * <tr><td>otherwise INVALID_SOCKET, the code in lpErrno</td>
 * <td>WspSocketTest.wspSocket_failureReturnsInvalidSocketWithCodeInErrno</td></tr>
 * <tr><td>WSAENETDOWN</td><td>WspSocketTest.wspSocket_WSAENETDOWN_whenLinkDown</td></tr>
 * <tr><td>WSAEAFNOSUPPORT</td><td>WspSocketTest.wspSocket_WSAEAFNOSUPPORT_whenFamilyUnsupported</td></tr>
 * <tr><td>WSAEINPROGRESS (blocking call; callback)</td>
 * <td>WspSocketTest.wspSocket_WSAEINPROGRESS_whenBlockingCallInProgressOnThread,
 * wspSocket_WSAEINPROGRESS_insideEngineCompletionCallback</td></tr>
 * <tr><td>WSAEMFILE</td><td>WspSocketTest.wspSocket_WSAEMFILE_whenDescriptorTableFull</td></tr>
 * <tr><td>WSAENOBUFS</td><td>WspSocketTest.wspSocket_WSAENOBUFS_whenBufferBudgetCannotCoverSocket</td></tr>
 * <tr><td>WSAEPROTONOSUPPORT</td><td>WspSocketTest.wspSocket_WSAEPROTONOSUPPORT_whenProtocolUnsupported</td></tr>
 * <tr><td>WSAEPROTOTYPE</td><td>WspSocketTest.wspSocket_WSAEPROTOTYPE_whenProtocolWrongTypeForSocket</td></tr>
 * <tr><td>WSAESOCKTNOSUPPORT</td><td>WspSocketTest.wspSocket_WSAESOCKTNOSUPPORT_whenTypeUnsupportedInFamily</td></tr>
 * <tr><td>WSAEINVAL: g not valid</td><td>WspSocketTest.wspSocket_WSAEINVAL_whenGroupNotZero</td></tr>
 * <tr><td>the errors' documented order</td><td>WspSocketTest.wspSocket_errorsCheckedInDocumentedOrder</td></tr>
 * <tr><td>a descriptor and related resources are allocated</td>
 * <td>WspSocketTest.wspSocket_allocatesDescriptorAndRelatedResources</td></tr>
 * <tr><td>by default not overlapped</td><td>WspSocketTest.wspSocket_notOverlappedByDefault</td></tr>
 * <tr><td>IFS handles / WPUCreateSocketHandle (descriptor allocation)</td>
 * <td>WspSocketTest.wspSocket_nonIfsProviderHandsOutUniqueDescriptorsFromItsTable, DescriptorTableTest,
 * DescriptorTableStressTest</td></tr>
 * <tr><td>af and type 0 are wildcards</td>
 * <td>WspSocketTest.wspSocket_afZeroIsWildcard, wspSocket_typeZeroIsWildcard,
 * wspSocket_afAndTypeZeroTogetherSelectByProtocol</td></tr>
 * <tr><td>FROM_PROTOCOL_INFO for any of af, type, protocol</td>
 * <td>WspSocketTest.wspSocket_fromProtocolInfoInAfTakesInfoFamily, ...InTypeTakesInfoType,
 * ...InProtocolTakesInfoProtocol, wspSocket_fromProtocolInfoInAllThree</td></tr>
 * <tr><td>WSA_FLAG_OVERLAPPED</td><td>WspSocketTest.wspSocket_flagOverlappedCreatesOverlappedSocket</td></tr>
 * <tr><td>C_ROOT only with a rooted control plane</td><td>WspSocketMultipointTest.wspSocket_cRootOnlyWithRootedControlPlane</td></tr>
 * <tr><td>C_LEAF only with XP1_SUPPORT_MULTIPOINT; D_LEAF likewise</td>
 * <td>WspSocketMultipointTest.wspSocket_leavesOnlyWithSupportMultipoint,
 * wspSocket_multipointLeavesAllowedWithSupportMultipoint</td></tr>
 * <tr><td>D_ROOT only with a rooted data plane</td><td>WspSocketMultipointTest.wspSocket_dRootOnlyWithRootedDataPlane</td></tr>
 * <tr><td>exactly one of C_ROOT/C_LEAF, exactly one of D_ROOT/D_LEAF</td>
 * <td>WspSocketMultipointTest.wspSocket_multipointNeedsExactlyOneOfCRootAndCLeaf, ...DRootAndDLeaf</td></tr>
 * <tr><td>SOCK_RAW encouraged</td><td>WspSocketTest.wspSocket_rawSocketsSupportedForAnyIpProtocol (catalog and
 * engine-free backend); over the engine, which has no raw IP, stack.WspLifecycleDataTest
 * .wspSocket_WSAESOCKTNOSUPPORT_forRaw_theEngineHasNoRawIp</td></tr>
 * <tr><td>WSAENETDOWN / WSAENOBUFS from the real stack</td>
 * <td>stack.WspLifecycleDataTest.wspSocket_WSAENETDOWN_whenTheStacksLinkIsDown,
 * wspSocket_WSAENOBUFS_fromTheRealBufferBudget</td></tr>
 * <tr><td>WSA_FLAG_OVERLAPPED: WSPSend, WSPSendTo, WSPRecv, WSPRecvFrom and WSPIoctl overlapped, many in process at
 * once</td><td>stack.WspOverlappedTest.overlapped_hundredRecvsPostedBeforeDataCompleteInPostingOrder,
 * overlapped_sendsCompleteInPostingOrderAndDataArrivesInOrder, overlapped_sendToAndRecvFromOnDatagramSockets,
 * overlapped_ioctlFIONREADCompletesWithTheCount</td></tr>
 * <tr><td>nonoverlapped usage on an overlapped socket</td>
 * <td>stack.WspOverlappedTest.overlapped_blockingCallsStillWorkOnAnOverlappedSocket</td></tr>
 * <tr><td>connection-oriented sockets must be connected before data</td>
 * <td>stack.WspStreamDataTest.wspRecv_WSAENOTCONN_onUnconnectedStream, wspSend_WSAENOTCONN_onUnconnectedStream</td></tr>
 * <tr><td>a connection is created with WSPConnect; data with WSPSend and WSPRecv; then WSPCloseSocket</td>
 * <td>stack.WspConnectionSetupTest.wspAccept_returnsANewDescriptorAndThePeerAddress,
 * stack.WspStreamDataTest.wspSendRecv_dataFlowsBothWaysThroughScatterGatherBuffers,
 * stack.WspOptionsTest.soLinger_offClosesGracefully_thePeerReadsTheDataThenEndOfStream</td></tr>
 * <tr><td>data is not lost or duplicated</td>
 * <td>stack.StartedStacksConcurrencyTest.manyBlockingEchoConnectionsAndDatagramChurnAtOnce,
 * stack.WspStreamDataTest.wspSend_blockingSendLargerThanTheSendBufferCompletesWhenAllIsBuffered</td></tr>
 * <tr><td>broken connection: subsequent calls fail with WSAETIMEDOUT</td>
 * <td>stack.WspStreamDataTest.wspSend_WSAETIMEDOUT_whenPeerStopsAcknowledging,
 * wspRecv_WSAETIMEDOUT_whenPeerStopsAcknowledging</td></tr>
 * <tr><td>connectionless sockets: WSPSendTo / WSPRecvFrom with arbitrary peers</td>
 * <td>stack.WspDatagramTest.wspSendToRecvFrom_datagramsToAndFromArbitraryPeers</td></tr>
 * <tr><td>connected datagram sockets send to (WSPSend) and receive from (only) their peer</td>
 * <td>stack.WspDatagramTest.connectedDatagram_sendsOnlyToItsPeer, connectedDatagram_receivesOnlyFromItsPeer</td></tr>
 * <tr><td>shared-socket info: g and dwFlags ignored</td>
 * <td>WspSocketSharedTest.wspSocket_sharedInfoIgnoresGroupAndFlags,
 * wspSocket_sharedInfoCreatesAnotherDescriptorForSameSocket, wspSocket_socketLivesUntilLastDescriptorClosed</td></tr>
 * <tr><td>next layer gets the same unmodified info and chain</td>
 * <td>LayeredProviderTest.propagation_wspSocket_nextLayerGetsSameUnmodifiedInfoAndChain</td></tr>
 * <tr><td>the base provider gets its own info (substitution)</td>
 * <td>LayeredProviderTest.propagation_wspSocket_baseProviderGetsBaseEntryInfo</td></tr>
 * <tr><td>base providers need not know chains</td>
 * <td>LayeredProviderTest.propagation_baseProviderNeverSeesAProtocolChain</td></tr>
 * <tr><td>same policy for WSPAddressToString, WSPDuplicateSocket, WSPStartup, WSPStringToAddress</td>
 * <td>LayeredProviderTest.propagation_wspAddressToString_..., propagation_wspDuplicateSocket_...,
 * propagation_wspStartup_..., propagation_wspStringToAddress_...</td></tr>
 * </table>
 *
 * <p>Every data function's error codes have their own tests, named {@code wspFunction_WSAECODE_condition}, in
 * {@code io.ustack.spi.stack} (WspStreamDataTest, WspOverlappedTest, WspDatagramTest, WspConnectionSetupTest,
 * WspOptionsTest, WspLifecycleDataTest, WspJoinLeafTest, LayeredDataTest); docs/spi.md maps each WSP function to its
 * class and lists the codes per function.
 */
package io.ustack.spi;
