/* ident — the identity stamped on every audit record. The login comes from
 * the password database for the effective uid: environment variables are the
 * caller's to set, so they cannot say who someone is. */
#include "warroom/ident.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ident_parse_ssh(const char *value, char *out, size_t size)
{
	out[0] = '\0';
	if (!value)
		return;
	char addr[64], port[16];
	if (sscanf(value, "%63s %15s", addr, port) != 2)
		return;
	for (const char *p = port; *p; p++)
		if (*p < '0' || *p > '9')
			return;
	snprintf(out, size, "%s:%s", addr, port);
}

const struct ident *ident_get(void)
{
	static struct ident id;
	static int filled;
	if (filled)
		return &id;
	id.uid = geteuid();
	id.pid = getpid();
	struct passwd *pw = getpwuid(id.uid);
	if (pw && pw->pw_name && *pw->pw_name)
		snprintf(id.login, sizeof(id.login), "%s", pw->pw_name);
	else
		snprintf(id.login, sizeof(id.login), "#%lu", (unsigned long)id.uid);
	if (gethostname(id.host, sizeof(id.host)) != 0 || !id.host[0])
		snprintf(id.host, sizeof(id.host), "unknown-host");
	id.host[sizeof(id.host) - 1] = '\0';
	const char *ssh = getenv("SSH_CONNECTION");
	if (!ssh || !*ssh)
		ssh = getenv("SSH_CLIENT");
	ident_parse_ssh(ssh, id.ssh_client, sizeof(id.ssh_client));
	filled = 1;
	return &id;
}
