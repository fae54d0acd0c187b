/* fuzz_source_incidentio — the incident.io parser under the checks of
 * fuzz_source_pagerduty.c: a list page from untrusted bytes. */
#define FUZZ_SOURCE SOURCE_INCIDENTIO
#include "fuzz_source_pagerduty.c"
