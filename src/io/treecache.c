/* treecache — where parsed trees are kept between runs: one file a tree,
 * named by its key, in a folder only its owner can write (anyone who could
 * write there could hand us a plan). Files are written beside their final
 * name and renamed into place, so a reader sees a whole tree or none. */
#include "warroom/treecache.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "warroom/util.h"
#include "warroom/yaml.h"

#define SUFFIX ".tree"
#define TMP_PREFIX ".tree."
/* A cached tree is a few times its file; the biggest file is YAML_MAX_BYTES. */
#define MAX_TREE_BYTES ((size_t)16 * YAML_MAX_BYTES)

void treecache_key(const char *buf, size_t len, const struct yaml_limits *lim,
		   struct treecache_key *k)
{
	uint64_t bounds[4] = {lim->max_bytes, lim->max_depth, lim->max_nodes, lim->max_expand};
	static const char tag[] = "warroom tree cache " WARROOM_VERSION;
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex2(ctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, tag, sizeof(tag)) ||
	    !EVP_DigestUpdate(ctx, bounds, sizeof(bounds)) || !EVP_DigestUpdate(ctx, buf, len) ||
	    !EVP_DigestFinal_ex(ctx, k->sha, &n) || n != sizeof(k->sha))
		memset(k->sha, 0, sizeof(k->sha)); /* all zeros names no file written */
	EVP_MD_CTX_free(ctx);
}

static bool zero_key(const struct treecache_key *k)
{
	for (size_t i = 0; i < sizeof(k->sha); i++)
		if (k->sha[i])
			return false;
	return true;
}

char *treecache_dir(void)
{
	const char *own = getenv("WARROOM_CACHE_DIR");
	if (own && *own)
		return strcmp(own, "off") == 0 ? NULL : xstrdup(own);
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && *xdg)
		return xasprintf("%s/warroom", xdg);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/.cache/warroom", home);
	return NULL;
}

/* The folder, made if need be, when only we can write into it. */
static char *usable_dir(bool create)
{
	char *dir = treecache_dir();
	if (!dir)
		return NULL;
	if (create) {
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			(void)mkdir(dir, 0700); /* ~/.cache itself may be missing */
			*slash = '/';
		}
		(void)mkdir(dir, 0700);
	}
	struct stat st;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		free(dir);
		return NULL;
	}
	return dir;
}

static char *tree_path(const char *dir, const struct treecache_key *k)
{
	char hex[2 * NODEPACK_KEY_BYTES + 1];
	util_hex(k->sha, sizeof(k->sha), hex);
	return xasprintf("%s/%s" SUFFIX, dir, hex);
}

/* The whole file, when it is a regular file of ours (opened without
 * following a link) of a sane size. Read, not mapped: a mapped file cut short
 * by someone else would fault the process. */
static char *read_tree(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && st.st_uid == geteuid()) {
		buf = util_read_fd(fd, path, MAX_TREE_BYTES, len, NULL);
		/* marks it used, for the pruning in treecache_put */
		(void)futimens(fd, NULL);
	}
	close(fd);
	return buf;
}

bool treecache_get(const struct treecache_key *k, const struct yaml_limits *lim,
		   struct arena *a, struct node **root)
{
	if (zero_key(k))
		return false;
	char *dir = usable_dir(false);
	if (!dir)
		return false;
	char *path = tree_path(dir, k);
	size_t len = 0;
	char *blob = read_tree(path, &len);
	bool ok = false;
	if (blob) {
		struct nodepack_limits pl = {lim->max_depth, lim->max_nodes + lim->max_expand};
		struct err e;
		ok = nodepack_read(blob, len, k->sha, &pl, a, root, &e) == 0;
		free(blob);
		if (!ok)
			(void)unlink(path); /* parsed again and rewritten by the caller */
	}
	free(path);
	free(dir);
	return ok;
}

struct aged {
	char *name;
	struct timespec used;
};

static int newest_first(const void *pa, const void *pb)
{
	const struct aged *a = pa, *b = pb;
	if (a->used.tv_sec != b->used.tv_sec)
		return a->used.tv_sec < b->used.tv_sec ? 1 : -1;
	if (a->used.tv_nsec != b->used.tv_nsec)
		return a->used.tv_nsec < b->used.tv_nsec ? 1 : -1;
	return strcmp(a->name, b->name);
}

static void prune(const char *dir)
{
	DIR *dh = opendir(dir);
	if (!dh)
		return;
	struct aged *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dh))) {
		size_t l = strlen(de->d_name);
		struct stat st;
		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* a writer killed between mkstemp and rename leaves its file */
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
			if (st.st_mtim.tv_sec < time(NULL) - 3600)
				(void)unlinkat(dirfd(dh), de->d_name, 0);
			continue;
		}
		if (l <= strlen(SUFFIX) || strcmp(de->d_name + l - strlen(SUFFIX), SUFFIX) != 0)
			continue;
		struct aged x = {xstrdup(de->d_name), st.st_mtim};
		VEC_PUSH(v, n, cap, x);
	}
	if (n > TREECACHE_KEEP) {
		qsort(v, n, sizeof(*v), newest_first);
		for (size_t i = TREECACHE_KEEP; i < n; i++)
			(void)unlinkat(dirfd(dh), v[i].name, 0);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	closedir(dh);
}

void treecache_put(const struct treecache_key *k, const struct node *root)
{
	if (zero_key(k))
		return;
	char *dir = usable_dir(true);
	if (!dir)
		return;
	struct strbuf sb = {0};
	struct err e;
	if (nodepack_write(root, k->sha, &sb, &e) == 0) {
		char *path = tree_path(dir, k);
		char *tmp = xasprintf("%s/" TMP_PREFIX "XXXXXX", dir);
		int fd = mkstemp(tmp); /* 0600 */
		if (fd >= 0) {
			/* No fsync: a tree torn by a crash fails its checksum and is
			 * parsed again, so durability would cost time for nothing. */
			int wrote = util_write_all(fd, sb.buf, sb.len);
			if (close(fd) < 0 || wrote < 0 || rename(tmp, path) < 0)
				(void)unlink(tmp);
		}
		free(tmp);
		free(path);
		prune(dir);
	}
	sb_release(&sb);
	free(dir);
}
