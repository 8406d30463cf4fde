#include "qemu_cmd.h"

#include GOHV_MACHINE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char qemu_cmd_icount[] = "-icount " MACHINE_ICOUNT " -rtc " MACHINE_ICOUNT_RTC;
/* restrict=on: no frame of the guest's leaves QEMU (the project's network rule). */
const char qemu_cmd_user_netdev[] = "user,id=net0,restrict=on";
const char qemu_cmd_net_device[] = MACHINE_NET_DEVICE ",netdev=net0";

/* The packer writes a line of a few options; anything longer is not its file. */
#define ARGS_FILE_MAX 4096

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static int fail(char *err, size_t errlen, const char *path, const char *why)
{
	snprintf(err, errlen, "%s: %s", path, why);
	return -1;
}

static int read_args_file(const char *path, char **text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return fail(err, errlen, path, strerror(errno));
	buf = malloc(ARGS_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return fail(err, errlen, path, strerror(ENOMEM));
	}
	n = fread(buf, 1, ARGS_FILE_MAX + 1, f);
	fclose(f);
	if (n > ARGS_FILE_MAX) {
		free(buf);
		return fail(err, errlen, path, "too long for a qemu-args file");
	}
	buf[n] = 0;
	*text = buf;
	return 0;
}

static void add(struct qemu_cmd *c, const char *arg)
{
	c->argv[c->argc++] = (char *)arg;
	c->argv[c->argc] = NULL;
}

/* The qemu-args file's words: its -smp and -m fill what the caller left open, anything else is
 * passed through, so the packer can grow options without a change here. */
static int take_args_file(struct qemu_cmd *c, const char **smp, const char **mem,
			  const char ***rest, size_t *nrest, const char *path, char *err,
			  size_t errlen)
{
	char *save = NULL, *w;
	size_t cap = 0;

	if (read_args_file(path, &c->args_text, err, errlen))
		return -1;
	for (w = strtok_r(c->args_text, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		const char **slot = !strcmp(w, "-smp") ? smp : !strcmp(w, "-m") ? mem : NULL;

		if (slot) {
			char *v = strtok_r(NULL, " \t\r\n", &save);

			if (!v)
				return fail(err, errlen, path, "an option without its value");
			if (!*slot)
				*slot = v;
			continue;
		}
		if (*nrest == cap) {
			const char **bigger = realloc(*rest, (cap = cap * 2 + 8) * sizeof(**rest));

			if (!bigger)
				return fail(err, errlen, path, strerror(ENOMEM));
			*rest = bigger;
		}
		(*rest)[(*nrest)++] = w;
	}
	return 0;
}

int qemu_cmd_build(const struct qemu_cmd_opts *o, struct qemu_cmd *c, char *err, size_t errlen)
{
	const char *smp = o->smp, *mem = o->memory, **rest = NULL;
	size_t nrest = 0, nextra = 0;

	memset(c, 0, sizeof(*c));
	if (o->qemu_args &&
	    take_args_file(c, &smp, &mem, &rest, &nrest, o->qemu_args, err, errlen)) {
		free(rest);
		free(c->args_text);
		c->args_text = NULL;
		return -1;
	}
	while (o->extra && o->extra[nextra])
		nextra++;
	/* The fixed words below, with room to spare, plus what came from outside. */
	c->argv = malloc((32 + nrest + nextra) * sizeof(*c->argv));
	if (!c->argv) {
		free(rest);
		free(c->args_text);
		return fail(err, errlen, "qemu command line", strerror(ENOMEM));
	}
	add(c, o->qemu ? o->qemu : env_or("GOHV_QEMU", MACHINE_QEMU));
	add(c, "-M");
	add(c, o->machine ? o->machine : MACHINE_TYPE);
	add(c, "-global");
	add(c, MACHINE_GLOBAL);
	add(c, "-cpu");
	add(c, o->cpu ? o->cpu : MACHINE_CPU);
	if (smp) {
		add(c, "-smp");
		add(c, smp);
	}
	add(c, "-m");
	add(c, mem ? mem : MACHINE_MEMORY);
	add(c, "-bios");
	add(c, o->firmware ? o->firmware : env_or("GOHV_OPENSBI", MACHINE_FIRMWARE));
	add(c, "-kernel");
	add(c, o->kernel);
	if (o->terminal) {
		add(c, "-nographic");
	} else {
		add(c, "-display");
		add(c, "none");
		add(c, "-monitor");
		add(c, "none");
		add(c, "-serial");
		add(c, "stdio");
		add(c, "-no-reboot");
	}
	if (o->icount) {
		add(c, "-icount");
		add(c, MACHINE_ICOUNT);
		add(c, "-rtc");
		add(c, MACHINE_ICOUNT_RTC);
	}
	if (o->user_net) {
		size_t len = sizeof(qemu_cmd_user_netdev);
		for (const char *const *f = o->net_forwards; f && *f; f++)
			len += 1 + strlen(*f);
		if (o->net_forwards && o->net_forwards[0]) {
			c->netdev = malloc(len);
			if (!c->netdev) {
				free(rest);
				qemu_cmd_free(c);
				return fail(err, errlen, "qemu command line", strerror(ENOMEM));
			}
			strcpy(c->netdev, qemu_cmd_user_netdev);
			for (const char *const *f = o->net_forwards; *f; f++)
				strcat(strcat(c->netdev, ","), *f);
		}
		add(c, "-netdev");
		add(c, c->netdev ? c->netdev : qemu_cmd_user_netdev);
		add(c, "-device");
		add(c, qemu_cmd_net_device);
	}
	for (size_t i = 0; i < nrest; i++)
		add(c, rest[i]);
	for (size_t i = 0; i < nextra; i++)
		add(c, o->extra[i]);
	free(rest);
	return 0;
}

void qemu_cmd_free(struct qemu_cmd *c)
{
	free(c->argv);
	free(c->args_text);
	free(c->netdev);
	memset(c, 0, sizeof(*c));
}
