/*
 * The console line protocol: the text the hv writes that host tools read back (tools/gohv's
 * output filter, the bench tool's parsers). Both sides build their strings from these pieces, so
 * a change here changes the writer and every reader together. The integration tests keep their
 * own literal copies on purpose: an accidental change must fail them.
 *
 * Every line is either the hv's (CONSOLE_HV_PREFIX, then text) or a guest's (CONSOLE_TAG_OPEN,
 * the partition name cut at CONSOLE_TAG_MAX, CONSOLE_TAG_ERR for its error stream,
 * CONSOLE_TAG_CLOSE, then text). The _FMT strings are what hv_log gets: it adds the prefix.
 *
 * A guest's text is its bytes, readable but never able to drive the terminal: printable ASCII,
 * tab and UTF-8 characters pass as they are; any other byte (controls, C1, invalid UTF-8, the
 * bytes of U+2028/2029 and the bidi controls) is written as CONSOLE_ESC 'x' and two lowercase
 * hex digits, and CONSOLE_ESC itself is doubled. A line whose text ends in a lone CONSOLE_ESC is
 * a piece of a longer one: its newline is not the guest's (cut at CONSOLE_LINE_MAX bytes, at a
 * switch to the other stream, or flushed at exit). So a reader gets back the exact bytes.
 */
#ifndef GOHV_CONSOLE_PROTO_H
#define GOHV_CONSOLE_PROTO_H

#define CONSOLE_HV_PREFIX "gohv: "
#define CONSOLE_TAG_OPEN  "["
#define CONSOLE_TAG_CLOSE "] "
#define CONSOLE_TAG_MAX	  32 /* partition names come from the board config; longer ones are cut */
#define CONSOLE_TAG_ERR	  ":err"
#define CONSOLE_LINE_MAX  160 /* bytes of guest text per line: a longer one comes in pieces */
#define CONSOLE_ESC	  '\\'
#define CONSOLE_ESC_HEX	  'x'
#define CONSOLE_HV_MAX	  256 /* an hv line, prefix and '\n' included; longer ones end in "..." */

/* "gohv: partition NAME exited with code N", then CONSOLE_EXIT_FAULT when the hv stopped it. */
#define CONSOLE_PARTITION  "partition "
#define CONSOLE_EXITED	   " exited with code "
#define CONSOLE_EXIT_FAULT " (fault)"
#define CONSOLE_EXIT_FMT   CONSOLE_PARTITION "%s" CONSOLE_EXITED "%d%s"
/* "gohv: partition NAME rebooted (code N)": instead of the exit line when the guest asked for a
 * reboot (restarted whatever its policy), so a reader never takes a reboot for an exit. */
#define CONSOLE_REBOOTED   " rebooted (code "
#define CONSOLE_REBOOT_FMT CONSOLE_PARTITION "%s" CONSOLE_REBOOTED "%d)"
/* Follows the exit or reboot line when the partition restarts. */
#define CONSOLE_RESTARTING " restarting "
#define CONSOLE_RESTART_FMT                                                                        \
	CONSOLE_PARTITION "%s" CONSOLE_RESTARTING "(policy %s, restart %u) in %lu ms"

/* "gohv: fault: partition NAME vcpu N: WHAT at pc 0x... addr 0x...". */
#define CONSOLE_FAULT	  "fault: "
#define CONSOLE_FAULT_FMT CONSOLE_FAULT CONSOLE_PARTITION "%s vcpu %u: %s at pc 0x%lx addr 0x%lx"
/* "gohv: fault: partition NAME: watchdog expired (no pet for N ms)": N is its watchdog-ms. */
#define CONSOLE_WATCHDOG ": watchdog expired"
#define CONSOLE_WATCHDOG_FMT                                                                       \
	CONSOLE_FAULT CONSOLE_PARTITION "%s" CONSOLE_WATCHDOG " (no pet for %u ms)"
/* The bench build adds when it reported the fault; the bench tool reads it back with sscanf. */
#define CONSOLE_FAULT_BENCH	" tick "
#define CONSOLE_FAULT_BENCH_FMT CONSOLE_FAULT_BENCH "%lu instret %lu"

/* A partition (or the whole board config) the hv cannot honour. */
#define CONSOLE_REFUSED		   " refused"
#define CONSOLE_REFUSED_FMT	   CONSOLE_PARTITION "%s" CONSOLE_REFUSED ": %s"
#define CONSOLE_CONFIG_REFUSED_FMT "board config" CONSOLE_REFUSED ": %s"
/* A channel the hv cannot build: refused alone, its ends run without it. */
#define CONSOLE_CHAN_REFUSED_FMT "channel %s" CONSOLE_REFUSED ": %s"

/* An hv bug: the machine goes down. */
#define CONSOLE_PANIC "PANIC: "

/* Free pages of the hv's allocator: once every partition is built, and again at power-off, so a
 * leak across restarts shows as a difference. */
#define CONSOLE_FREE_FMT "memory: %lu pages free"

/* The last line before the hv powers the machine off by itself. */
#define CONSOLE_POWER_OFF    "; powering off"
#define CONSOLE_ALL_STOPPED  "all partitions stopped" CONSOLE_POWER_OFF
#define CONSOLE_NONE_CAN_RUN "no partition can run" CONSOLE_POWER_OFF

#endif
