package main

import (
	"syscall"

	"gvisor.dev/gvisor/pkg/tcpip"
)

// errnoOf is netstack's error as the negative Linux errno the protocol carries, the numbers
// gVisor's own sentry gives them (pkg/syserr, which does not build for every GOARCH); EIO for
// an error it has none for.
func errnoOf(err tcpip.Error) int32 {
	var e syscall.Errno
	switch err.(type) {
	case nil:
		return 0
	case *tcpip.ErrUnknownProtocol, *tcpip.ErrAlreadyBound, *tcpip.ErrInvalidEndpointState,
		*tcpip.ErrInvalidOptionValue, *tcpip.ErrMalformedHeader, *tcpip.ErrInvalidPortRange,
		*tcpip.ErrMulticastInputCannotBeOutput, *tcpip.ErrMissingRequiredFields:
		e = syscall.EINVAL
	case *tcpip.ErrUnknownNICID, *tcpip.ErrUnknownDevice:
		e = syscall.ENODEV
	case *tcpip.ErrUnknownProtocolOption:
		e = syscall.ENOPROTOOPT
	case *tcpip.ErrDuplicateNICID, *tcpip.ErrDuplicateAddress:
		e = syscall.EEXIST
	case *tcpip.ErrHostUnreachable:
		e = syscall.EHOSTUNREACH
	case *tcpip.ErrAlreadyConnecting:
		e = syscall.EALREADY
	case *tcpip.ErrAlreadyConnected:
		e = syscall.EISCONN
	case *tcpip.ErrNoPortAvailable, *tcpip.ErrWouldBlock:
		e = syscall.EAGAIN
	case *tcpip.ErrPortInUse:
		e = syscall.EADDRINUSE
	case *tcpip.ErrBadLocalAddress:
		e = syscall.EADDRNOTAVAIL
	case *tcpip.ErrClosedForSend, *tcpip.ErrAborted:
		e = syscall.EPIPE
	case *tcpip.ErrConnectionRefused:
		e = syscall.ECONNREFUSED
	case *tcpip.ErrTimeout:
		e = syscall.ETIMEDOUT
	case *tcpip.ErrConnectStarted:
		e = syscall.EINPROGRESS
	case *tcpip.ErrDestinationRequired:
		e = syscall.EDESTADDRREQ
	case *tcpip.ErrNotSupported:
		e = syscall.EOPNOTSUPP
	case *tcpip.ErrQueueSizeNotSupported:
		e = syscall.ENOTTY
	case *tcpip.ErrNotConnected:
		e = syscall.ENOTCONN
	case *tcpip.ErrConnectionReset:
		e = syscall.ECONNRESET
	case *tcpip.ErrConnectionAborted:
		e = syscall.ECONNABORTED
	case *tcpip.ErrNoSuchFile:
		e = syscall.ENOENT
	case *tcpip.ErrBadAddress, *tcpip.ErrBadBuffer:
		e = syscall.EFAULT
	case *tcpip.ErrNetworkUnreachable:
		e = syscall.ENETUNREACH
	case *tcpip.ErrMessageTooLong:
		e = syscall.EMSGSIZE
	case *tcpip.ErrNoBufferSpace:
		e = syscall.ENOBUFS
	case *tcpip.ErrBroadcastDisabled:
		e = syscall.EACCES
	case *tcpip.ErrNotPermitted:
		e = syscall.EPERM
	case *tcpip.ErrAddressFamilyNotSupported:
		e = syscall.EAFNOSUPPORT
	default:
		e = syscall.EIO
	}
	return -int32(e)
}
