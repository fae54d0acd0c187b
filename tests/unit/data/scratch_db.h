/* scratch_db — shared by the unit tests that open a real SQLite file in a
 * scratch folder: removes the database with the files SQLite keeps beside
 * it, so each test leaves its folder empty for rmdir. */
#ifndef WARROOM_TEST_SCRATCH_DB_H
#define WARROOM_TEST_SCRATCH_DB_H

#include <stdlib.h>
#include <unistd.h>

#include "warroom/util.h"

static inline void scratch_db_remove(const char *path)
{
	static const char *const beside[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < ARRAY_SIZE(beside); i++) {
		char *p = xasprintf("%s%s", path, beside[i]);
		unlink(p);
		free(p);
	}
}

#endif
