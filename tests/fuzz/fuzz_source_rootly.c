/* fuzz_source_rootly — the Rootly parser under the checks of
 * fuzz_source_pagerduty.c: a JSON:API page from untrusted bytes. */
#define FUZZ_SOURCE SOURCE_ROOTLY
#include "fuzz_source_pagerduty.c"
