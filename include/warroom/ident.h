/* ident — who is at the keyboard and where: the Unix login from the password
 * database (never $USER, which anyone can set), the host, the SSH client when
 * the session came in over SSH, and the process id. Read once, then fixed. */
#ifndef WARROOM_IDENT_H
#define WARROOM_IDENT_H

#include <stddef.h>
#include <sys/types.h>

struct ident {
	char login[64];       /* "#UID" when the uid has no password entry */
	char host[256];
	char ssh_client[128]; /* "ADDRESS:PORT", "" when local */
	uid_t uid;
	pid_t pid;
};

/* The identity of this process, filled on first use. */
const struct ident *ident_get(void);

/* "ADDRESS:PORT" from an SSH_CONNECTION or SSH_CLIENT value ("ADDR PORT ...");
 * "" when value is NULL or malformed. */
void ident_parse_ssh(const char *value, char *out, size_t size);

#endif
