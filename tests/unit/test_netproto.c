/* guest-abi/net/netproto.h, the socket-forwarding protocol's one definition: its sizes agree
 * with the channel it rides on (netd's tests check its Go twin, guest-abi/netd/proto.go). */
#include <criterion/criterion.h>
#include <goos.h>

#include "net/netproto.h"

Test(netproto, a_message_is_one_channel_message)
{
	cr_assert_eq(NETPROTO_MSG_MAX, GOOS_CHAN_MSG_MAX);
	cr_assert_eq(NETPROTO_HDR_SIZE + NETPROTO_DATA_MAX, GOOS_CHAN_MSG_MAX);
}

Test(netproto, the_window_holds_whole_messages_and_datagrams)
{
	cr_assert_geq(NETPROTO_WINDOW, 4 * NETPROTO_DATA_MAX);
	cr_assert_geq(NETPROTO_WINDOW, NETPROTO_SOCKADDR_SIZE + NETPROTO_DGRAM_MAX);
}

Test(netproto, the_header_encodes_little_endian_at_its_offsets)
{
	struct netproto_hdr h = {.type = NETPROTO_T_REPLY,
				 .flags = NETPROTO_F_MORE,
				 .sock = 7,
				 .req = 0x01020304,
				 .val = -11};
	const unsigned char *b = (const unsigned char *)&h;

	cr_assert_eq(b[NETPROTO_OFF_TYPE], NETPROTO_T_REPLY);
	cr_assert_eq(b[NETPROTO_OFF_FLAGS], NETPROTO_F_MORE);
	cr_assert_eq(b[NETPROTO_OFF_SOCK], 7);
	cr_assert_eq(b[NETPROTO_OFF_REQ], 4);
	cr_assert_eq(b[NETPROTO_OFF_REQ + 3], 1);
	cr_assert_eq(b[NETPROTO_OFF_VAL], 0xf5);
	cr_assert_eq(b[NETPROTO_OFF_VAL + 3], 0xff);
}
