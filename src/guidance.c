/* guidance.c: after-apply guidance: parse, name, and which restart it asks for. */
#include <stdio.h>
#include <string.h>

#include "guidance.h"

unsigned
guidance_parse(const char *text)
{
	static const struct {
		const char *word;
		unsigned bit;
	} words[] = {
		{ "restartHVM", GUIDE_RESTART_HVM },
		{ "restartPV", GUIDE_RESTART_PV },
		{ "restartHost", GUIDE_RESTART_HOST },
		{ "restartXAPI", GUIDE_RESTART_XAPI },
	};
	unsigned bits = 0;
	size_t len, i;

	if (text == NULL)
		return 0;
	/* xapi writes the set space-separated (NOTES.md §2.2 item 6); accept commas too. */
	while (*text != '\0') {
		len = strcspn(text, " \t\r\n,");
		if (len > 0) {
			for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
				if (strlen(words[i].word) == len &&
				    strncmp(words[i].word, text, len) == 0)
					break;
			bits |= i < sizeof(words) / sizeof(words[0]) ? words[i].bit :
			    GUIDE_UNKNOWN;
		}
		text += len;
		text += strspn(text, " \t\r\n,");
	}
	return bits;
}

void
guidance_text(unsigned bits, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", bits & GUIDE_RESTART_HOST ? " restartHost" : "",
	    bits & GUIDE_RESTART_XAPI ? " restartXAPI" : "",
	    bits & GUIDE_RESTART_HVM ? " restartHVM" : "",
	    bits & GUIDE_RESTART_PV ? " restartPV" : "");
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}

enum guidance_restart
guidance_restart(unsigned bits)
{
	return bits & GUIDE_RESTART_HOST ? RESTART_HOST : bits & GUIDE_RESTART_XAPI ?
	    RESTART_TOOLSTACK : RESTART_NONE;
}
