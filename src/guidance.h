/*
 * guidance.h: a hotfix's after-apply guidance, the one type for it everywhere (the
 * catalog, the pool's patch records, the procedure).
 *
 * guidance_parse() reads the set as xapi and the catalog write it ("restartHost
 * restartXAPI", space- or comma-separated); a word it does not know sets
 * GUIDE_UNKNOWN.  guidance_restart() is the one rule for which restart is due: a host
 * reboot restarts the toolstack too.
 */
#ifndef CSM_GUIDANCE_H
#define CSM_GUIDANCE_H

#include <stddef.h>

enum guidance {
	GUIDE_RESTART_HVM = 1 << 0,	/* restartHVM: reboot the running HVM guests */
	GUIDE_RESTART_PV = 1 << 1,	/* restartPV: reboot the running PV guests */
	GUIDE_RESTART_HOST = 1 << 2,	/* restartHost: evacuate and reboot the host */
	GUIDE_RESTART_XAPI = 1 << 3,	/* restartXAPI: restart the toolstack */
	GUIDE_UNKNOWN = 1 << 4,		/* some other word: read the hotfix's article */
};

enum guidance_restart { RESTART_NONE, RESTART_TOOLSTACK, RESTART_HOST };

unsigned guidance_parse(const char *text);
/* "restartHost restartXAPI" from the bits ("" for none; GUIDE_UNKNOWN is not named). */
void guidance_text(unsigned bits, char *buf, size_t len);
enum guidance_restart guidance_restart(unsigned bits);

#endif
