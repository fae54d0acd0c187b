/* replay — runs a libFuzzer target over files, without libFuzzer: `make test`
 * builds every target with the C compiler under ASan + UBSan and replays its
 * corpus, so a regression in a parser of outside input fails the tests. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "warroom/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	struct err e = {{0}};
	size_t len = 0;
	char *buf = util_read_file(path, 64u << 20, &len, &e);
	if (!buf) {
		fprintf(stderr, "replay: %s\n", e.msg);
		return -1;
	}
	/* A private, exact-size copy so ASan sees reads past the end. */
	uint8_t *exact = xmalloc(len ? len : 1);
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int replay_path(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: no such file or folder\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: cannot read the folder\n", path);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && rc == 0) {
			char *child = xasprintf("%s/%s", path, names[i]->d_name);
			rc = replay_path(child, count);
			free(child);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	/* The empty input is every parser's first edge. */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) < 0)
			return 1;
	printf("replayed %zu inputs\n", count);
	return 0;
}
