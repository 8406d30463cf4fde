package main

// The protocol's constants, as guest-abi/net/netproto.h defines them (the one definition:
// TestProtoConstantsMatchHeader checks every NETPROTO_<NAME> there against the constant
// <Name> here and the other way round).
const (
	netprotoVersion = 1

	netprotoMsgMax       = 4088
	netprotoHdrSize      = 16
	netprotoDataMax      = 4072
	netprotoSockaddrSize = 16
	netprotoDgramMax     = 4056

	netprotoOffType  = 0
	netprotoOffFlags = 2
	netprotoOffSock  = 4
	netprotoOffReq   = 8
	netprotoOffVal   = 12

	netprotoTHello       = 1
	netprotoTSocket      = 2
	netprotoTBind        = 3
	netprotoTListen      = 4
	netprotoTAccept      = 5
	netprotoTConnect     = 6
	netprotoTGetsockname = 7
	netprotoTGetpeername = 8
	netprotoTSetsockopt  = 9
	netprotoTGetsockopt  = 10
	netprotoTShutdown    = 11
	netprotoTClose       = 12
	netprotoTReply       = 32

	netprotoTData   = 64
	netprotoTCredit = 65

	netprotoTEvConnected = 80
	netprotoTEvAccept    = 81
	netprotoTEvEOF       = 82
	netprotoTEvError     = 83

	netprotoFMore  = 1
	netprotoFTrunc = 2

	netprotoWindow = 65536

	netprotoMaxSockets = 128
	netprotoMaxBacklog = 128
)
