/* yaml_floor — the floor any YAML loader stands on: read the file, then
 * libyaml's event parse and nothing else (no tree, no checks). Prints one
 * line per run, "WALL-SECONDS CPU-SECONDS", then "maxrss KB";
 * bench_loader.sh compares. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <yaml.h>

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

/* User and system time: on a shared machine, steadier than the wall clock. */
static int64_t cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: yaml_floor FILE RUNS\n");
		return 2;
	}
	int runs = atoi(argv[2]);
	for (int i = 0; i < runs; i++) {
		int64_t t0 = util_mono_us(), c0 = cpu_us();
		size_t len;
		struct err e;
		char *buf = util_read_file(argv[1], (size_t)1 << 30, &len, &e);
		if (!buf) {
			fprintf(stderr, "yaml_floor: %s\n", e.msg);
			return 1;
		}
		long n = events(buf, len);
		free(buf);
		if (n < 0) {
			fprintf(stderr, "yaml_floor: %s does not parse\n", argv[1]);
			return 1;
		}
		printf("%.6f %.6f\n", (double)(util_mono_us() - t0) / 1e6,
		       (double)(cpu_us() - c0) / 1e6);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("maxrss %ld\n", ru.ru_maxrss);
	return 0;
}
