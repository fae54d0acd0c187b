/* yaml_floor — the floor any YAML loader stands on: read the file, then
 * libyaml's event parse and nothing else (no tree, no checks). Prints one
 * line per run, "WALL-SECONDS CPU-SECONDS", then "maxrss KB";
 * bench_loader.sh compares. */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "bench_runs.h"
#include "warroom/util.h"

static long events(const char *buf, size_t len)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return -1;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	long n = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			n = -1;
			break;
		}
		int end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		n++;
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	return n;
}

static int one(const char *path)
{
	size_t len;
	struct err e;
	char *buf = util_read_file(path, (size_t)1 << 30, &len, &e);
	if (!buf) {
		fprintf(stderr, "yaml_floor: %s\n", e.msg);
		return -1;
	}
	long n = events(buf, len);
	free(buf);
	if (n < 0) {
		fprintf(stderr, "yaml_floor: %s does not parse\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	return bench_runs(argc, argv, one);
}
