/*
 * The few files under /etc that Go's pure-Go code reads on Linux, for a program whose initrd has
 * none: os/user reads /etc/passwd and /etc/group, the net package's resolver /etc/hosts (before
 * DNS: without /etc/nsswitch.conf Go looks at files first) and LookupPort /etc/services. An initrd
 * that has its own file (or anything else at that path) keeps it.
 *
 * The program runs as root (getuid and the others give 0), so root is the one user; nobody and
 * nogroup are there as on Debian. root's home is "/", which exists in every tree (there is no
 * /root), and is what `gohv run` passes as HOME. The same user is given to a program whose
 * environment lacks USER, LOGNAME or HOME.
 */
#include <string.h>

#include "gort.h"

#define USER_NAME "root"
#define USER_HOME "/"

static const char passwd[] =
    USER_NAME ":x:0:0:root:" USER_HOME ":/bin/sh\n"
	      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char group[] = "root:x:0:\n"
			    "nogroup:x:65534:\n";
static const char services[] = "ftp\t\t21/tcp\n"
			       "ssh\t\t22/tcp\n"
			       "telnet\t\t23/tcp\n"
			       "smtp\t\t25/tcp\t\tmail\n"
			       "domain\t\t53/tcp\n"
			       "domain\t\t53/udp\n"
			       "http\t\t80/tcp\t\twww\n"
			       "pop3\t\t110/tcp\n"
			       "ntp\t\t123/udp\n"
			       "imap\t\t143/tcp\n"
			       "https\t\t443/tcp\n"
			       "https\t\t443/udp\n";
/* Debian's layout: the machine's own name on 127.0.1.1. */
static const char hosts_head[] = "127.0.0.1\tlocalhost\n"
				 "::1\t\tlocalhost ip6-localhost ip6-loopback\n"
				 "127.0.1.1\t";
static char hosts[sizeof(hosts_head) + GORT_HOST_MAX + 1];

void etc_init(const char *host)
{
	size_t len = strnlen(host, GORT_HOST_MAX), n = sizeof(hosts_head) - 1;
	memcpy(hosts, hosts_head, n);
	memcpy(hosts + n, host, len);
	hosts[n + len] = '\n';
	fs_add_default_file("/etc/passwd", passwd, sizeof(passwd) - 1);
	fs_add_default_file("/etc/group", group, sizeof(group) - 1);
	fs_add_default_file("/etc/hosts", hosts, n + len + 1);
	fs_add_default_file("/etc/services", services, sizeof(services) - 1);
}

static bool has_key(const char *const *envp, unsigned envc, const char *key)
{
	size_t len = strlen(key);
	for (unsigned i = 0; i < envc; i++)
		if (strncmp(envp[i], key, len) == 0 && envp[i][len] == '=')
			return true;
	return false;
}

unsigned etc_user_env(const char **envp, unsigned envc, unsigned max)
{
	static const char *const defaults[][2] = {{"USER", "USER=" USER_NAME},
						  {"LOGNAME", "LOGNAME=" USER_NAME},
						  {"HOME", "HOME=" USER_HOME}};
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]) && envc < max; i++)
		if (!has_key(envp, envc, defaults[i][0]))
			envp[envc++] = defaults[i][1];
	return envc;
}
